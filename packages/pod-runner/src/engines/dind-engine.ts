import type { Logger } from "@ild/common";
import type { DindLease, DindPool, DockerClient, DockerEvent } from "@ild/dind-pool";
import { exposePodFiles, type PodRoots } from "../files/pod-mounts.js";
import { podPaths } from "../files/pod-paths.js";
import type { PodIpNetworkOptions } from "../runner-types.js";
import { createDindMemoryVolume, podMemoryVolumes } from "./dind-memory-volumes.js";
import { applyDindSysctls } from "./dind-sysctls.js";
import { egressAcquireOptions } from "./egress-request.js";
import { ensureImageIn } from "./ensure-image.js";
import { followEvents } from "./event-stream.js";
import { LABEL_POD_UID, LABEL_RUNNER, LABEL_VOLUME } from "./labels.js";
import type { EnsureImageRequest, Sandbox, SandboxEngine, SandboxRequest } from "./sandbox-engine.js";

export interface DindEngineOptions {
  pool: DindPool;
  /** The host engine (images to deliver, pod-IP network attach). */
  docker: DockerClient;
  runnerId: string;
  podIpNetwork?: PodIpNetworkOptions;
  /** Pod file roots: the lease's slots get this pod's folders (and nothing else). */
  roots: PodRoots & { dataRoot: string; runRoot: string };
  /** Device nodes every DIND of the pool has for privileged pod containers (e.g. `/dev/fuse`). */
  privilegedDevices?: readonly string[];
  logger: Logger;
}

function volumeName(volume: string): string {
  return `ild-${volume}`.replace(/[^a-zA-Z0-9_.-]/g, "-").slice(0, 200);
}

/** A DIND from the pool per pod: inner containers use NetworkMode host, so the DIND's netns is the pod's. */
export function createDindEngine(options: DindEngineOptions): SandboxEngine {
  const { pool, docker, runnerId, logger } = options;
  const leases = new Map<string, DindLease>();

  const toSandbox = (lease: DindLease, memoryVolumeNames: Record<string, string>, ip?: string): Sandbox => ({
    engine: "dind",
    podUid: lease.podUid,
    id: lease.containerId,
    ip: ip ?? lease.ip,
    docker: lease.docker,
    networkMode: "host",
    ipcMode: "host",
    memoryVolumeNames,
    ...(options.privilegedDevices?.length ? { privilegedDevices: options.privilegedDevices } : {}),
    setEgress: (allowCidrs) => lease.setEgress(allowCidrs),
  });

  return {
    kind: "dind",

    async createSandbox(request: SandboxRequest): Promise<Sandbox> {
      const { plan, podUid, signal } = request;
      const labels = { ...request.labels, [LABEL_RUNNER]: runnerId, [LABEL_POD_UID]: podUid };
      // No DIND-level resources: the inner dockerd needs its own memory; limits sit on the inner containers.
      const lease = await pool.acquire({
        podUid,
        labels,
        ...(signal ? { signal } : {}),
        ...(request.devices ? { devices: request.devices } : {}),
        ...egressAcquireOptions(request),
      });
      leases.set(podUid, lease);
      try {
        const paths = podPaths(options.roots.dataRoot, options.roots.runRoot, podUid);
        if (!(await exposePodFiles(lease, options.roots, paths))) {
          logger.debug({ podUid }, "pool has no pod-path slots: pod files are not bound into the DIND");
        }
        // the DIND is the pod's sandbox: its namespaced sysctls are set there (Docker refuses them on
        // the host-namespace containers inside)
        await applyDindSysctls(docker, lease.containerId, plan, labels);
        // every memory emptyDir: a tmpfs the DIND holds for the pod's life (kept across restarts)
        const memoryVolumeNames: Record<string, string> = {};
        for (const volume of podMemoryVolumes(plan)) {
          memoryVolumeNames[volume.name] = volumeName(volume.name);
          await createDindMemoryVolume(
            docker,
            lease.containerId,
            lease.docker,
            { ...volume, dockerName: volumeName(volume.name) },
            { ...labels, [LABEL_VOLUME]: volume.name },
          );
        }
        const podIpNetwork = options.podIpNetwork;
        if (request.podIp && podIpNetwork) {
          await docker.connectNetwork(podIpNetwork.network, lease.containerId, {
            IPAMConfig: { IPv4Address: request.podIp },
          });
          for (const route of podIpNetwork.routes ?? []) {
            const result = await docker.exec(lease.containerId, [
              "ip",
              "route",
              "replace",
              route.cidr,
              "via",
              route.via,
            ]);
            if (result.exitCode !== 0) {
              throw new Error(`ip route replace ${route.cidr} via ${route.via}: ${result.stderr.trim()}`);
            }
          }
        }
        return toSandbox(lease, memoryVolumeNames, request.podIp);
      } catch (error) {
        leases.delete(podUid);
        await lease.release();
        throw error;
      }
    },

    async adopt(podUid: string): Promise<Sandbox | undefined> {
      const lease = leases.get(podUid) ?? pool.findLease(podUid);
      if (lease === undefined) {
        return undefined;
      }
      leases.set(podUid, lease);
      const memoryVolumeNames: Record<string, string> = {};
      const volumes = await lease.docker
        .listVolumes({ label: [`${LABEL_POD_UID}=${podUid}`] })
        .catch(() => []);
      for (const volume of volumes) {
        const name = volume.labels[LABEL_VOLUME];
        if (name !== undefined) {
          memoryVolumeNames[name] = volume.name;
        }
      }
      return toSandbox(lease, memoryVolumeNames);
    },

    async listSandboxPodUids(): Promise<string[]> {
      return pool.leases().map((lease) => lease.podUid);
    },

    ensureImage(sandbox: Sandbox, request: EnsureImageRequest): Promise<void> {
      const lease = leases.get(sandbox.podUid);
      return ensureImageIn(sandbox.docker, request, async (image) => {
        if (lease === undefined || (await docker.inspectImage(image)) === undefined) {
          return false;
        }
        await lease.deliverImages([image], request.signal ? { signal: request.signal } : {});
        return true;
      });
    },

    watch(sandbox: Sandbox, listener: (event: DockerEvent) => void, signal: AbortSignal): void {
      void followEvents(
        sandbox.docker,
        {
          type: ["container"],
          event: ["start", "die", "oom"],
          label: [`${LABEL_POD_UID}=${sandbox.podUid}`],
        },
        listener,
        signal,
        logger,
      );
    },

    watchSandbox(sandbox: Sandbox, onGone: (reason: string) => void, signal: AbortSignal): void {
      let told = false;
      void followEvents(
        docker,
        { type: ["container"], event: ["die"], container: [sandbox.id] },
        (event) => {
          if (!told && !signal.aborted) {
            told = true;
            const code = event.attributes?.exitCode;
            onGone(
              `the pod's DIND ${sandbox.id.slice(0, 12)} stopped${code === undefined ? "" : ` (exit code ${code})`}`,
            );
          }
        },
        signal,
        logger,
      );
    },

    async removeSandbox(sandbox: Sandbox | { podUid: string }): Promise<void> {
      const lease = leases.get(sandbox.podUid) ?? pool.findLease(sandbox.podUid);
      leases.delete(sandbox.podUid);
      await lease?.release();
    },
  };
}
