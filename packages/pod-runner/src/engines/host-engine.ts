import type { Logger } from "@ild/common";
import type { ContainerCreateBody, DockerClient, DockerEvent } from "@ild/dind-pool";
import { type PodPlan, toDockerSandboxSettings } from "@ild/pod-translator";
import type { PodIpNetworkOptions } from "../runner-types.js";
import { ensureImageIn } from "./ensure-image.js";
import { followEvents } from "./event-stream.js";
import { LABEL_CONTAINER_KIND, LABEL_POD_UID, LABEL_RUNNER, LABEL_VOLUME, SANDBOX_KIND } from "./labels.js";
import { sharedMemoryVolumes, tmpfsVolumeOptions } from "./memory-volumes.js";
import type { EnsureImageRequest, Sandbox, SandboxEngine, SandboxRequest } from "./sandbox-engine.js";

export interface HostEngineOptions {
  docker: DockerClient;
  runnerId: string;
  sandboxImage: string;
  network: "per-pod" | "default";
  podIpNetwork?: PodIpNetworkOptions;
  logger: Logger;
}

function networkName(podUid: string): string {
  return `ild-pod-${podUid}`;
}

function volumeName(podUid: string, volume: string): string {
  return `ild-${podUid}-${volume}`.replace(/[^a-zA-Z0-9_.-]/g, "-").slice(0, 200);
}

/** Pause-style sandbox on the host engine: pod containers join its network and IPC namespaces. */
export function createHostEngine(options: HostEngineOptions): SandboxEngine & { close(): void } {
  const { docker, runnerId, logger } = options;
  const listeners = new Map<string, Set<(event: DockerEvent) => void>>();
  let events: AbortController | undefined;

  const ensureEvents = (): void => {
    if (events !== undefined) {
      return;
    }
    events = new AbortController();
    void followEvents(
      docker,
      { type: ["container"], event: ["start", "die", "oom"], label: [`${LABEL_RUNNER}=${runnerId}`] },
      (event) => {
        const uid = event.attributes[LABEL_POD_UID];
        for (const listener of (uid && listeners.get(uid)) || []) {
          listener(event);
        }
      },
      events.signal,
      logger,
    );
  };

  const toSandbox = (
    podUid: string,
    id: string,
    ip: string,
    plan: PodPlan | undefined,
    sharePid = false,
  ): Sandbox => {
    const memoryVolumeNames: Record<string, string> = {};
    for (const name of plan ? sharedMemoryVolumes(plan, 1) : []) {
      memoryVolumeNames[name] = volumeName(podUid, name);
    }
    return {
      engine: "host",
      podUid,
      id,
      ip,
      docker,
      networkMode: `container:${id}`,
      ipcMode: `container:${id}`,
      ...(sharePid ? { pidMode: `container:${id}` } : {}),
      memoryVolumeNames,
    };
  };

  const findSandbox = async (podUid: string, signal?: AbortSignal) => {
    const found = await docker.listContainers(
      {
        all: true,
        label: [
          `${LABEL_RUNNER}=${runnerId}`,
          `${LABEL_POD_UID}=${podUid}`,
          `${LABEL_CONTAINER_KIND}=${SANDBOX_KIND}`,
        ],
      },
      signal ? { signal } : {},
    );
    return found[0];
  };

  const ipOf = async (id: string, preferred: string | undefined): Promise<string> => {
    const info = await docker.inspectContainer(id);
    const networks = Object.entries(info.networks);
    const chosen = networks.find(([name]) => name === preferred) ?? networks[0];
    return chosen?.[1].ipAddress ?? "";
  };

  const removeSandbox = async (sandbox: Sandbox | { podUid: string }): Promise<void> => {
    const podUid = sandbox.podUid;
    const containers = await docker.listContainers({
      all: true,
      label: [`${LABEL_RUNNER}=${runnerId}`, `${LABEL_POD_UID}=${podUid}`],
    });
    const pods = containers.filter((item) => item.labels[LABEL_CONTAINER_KIND] !== SANDBOX_KIND);
    await Promise.all(pods.map((item) => docker.removeContainer(item.id)));
    await Promise.all(
      containers
        .filter((item) => item.labels[LABEL_CONTAINER_KIND] === SANDBOX_KIND)
        .map((item) => docker.removeContainer(item.id)),
    );
    const networks = await docker.listNetworks({
      label: [`${LABEL_RUNNER}=${runnerId}`, `${LABEL_POD_UID}=${podUid}`],
    });
    await Promise.all(networks.map((network) => docker.removeNetwork(network.id)));
    const volumes = await docker.listVolumes({
      label: [`${LABEL_RUNNER}=${runnerId}`, `${LABEL_POD_UID}=${podUid}`],
    });
    await Promise.all(volumes.map((volume) => docker.removeVolume(volume.name)));
    listeners.delete(podUid);
  };

  return {
    kind: "host",

    async createSandbox(request: SandboxRequest): Promise<Sandbox> {
      // Whatever fails half-way (the network or a volume created, the sandbox not yet), everything
      // labelled with this pod is removed again.
      try {
        const { plan, podUid, signal } = request;
        const call = signal ? { signal } : {};
        const labels = { ...request.labels, [LABEL_RUNNER]: runnerId, [LABEL_POD_UID]: podUid };
        const existing = await findSandbox(podUid, signal);
        if (existing !== undefined) {
          // Left by a start interrupted by a crash: start again from a clean slate.
          await removeSandbox({ podUid });
        }
        let network = "bridge";
        if (options.network === "per-pod") {
          network = networkName(podUid);
          // creates are never aborted mid-request (an aborted create can still land after cleanup looked)
          await docker.createNetwork({ Name: network, Driver: "bridge", Labels: labels });
          signal?.throwIfAborted();
        }
        // A memory emptyDir is a tmpfs volume that the sandbox holds mounted for the pod's whole life, as
        // Kubernetes keeps it (Docker unmounts a tmpfs volume, losing its content, once no running
        // container uses it: between an init container and the regular ones, or across a restart).
        const memoryVolumeNames: Record<string, string> = {};
        for (const name of sharedMemoryVolumes(plan, 1)) {
          const volume = plan.volumes.find((candidate) => candidate.name === name);
          memoryVolumeNames[name] = volumeName(podUid, name);
          await docker.createVolume(
            volumeName(podUid, name),
            { ...labels, [LABEL_VOLUME]: name },
            { driverOptions: tmpfsVolumeOptions(volume?.sizeLimitBytes) },
          );
          signal?.throwIfAborted();
        }
        const podIpNetwork = options.podIpNetwork;
        const settings = toDockerSandboxSettings(plan, { memoryVolumeNames });
        const hostConfig: Record<string, unknown> = {
          ...settings.HostConfig,
          Init: true,
          IpcMode: "shareable",
          NetworkMode: network,
          ...(request.podIp && podIpNetwork?.dnsServers?.length ? { Dns: podIpNetwork.dnsServers } : {}),
          ...(request.podIp && podIpNetwork?.routes?.length ? { CapAdd: ["NET_ADMIN"] } : {}),
        };
        const body: ContainerCreateBody = {
          Image: options.sandboxImage,
          Entrypoint: ["sleep"],
          Cmd: ["2147483647"],
          Hostname: settings.Hostname,
          ...(settings.Domainname ? { Domainname: settings.Domainname } : {}),
          Labels: { ...labels, [LABEL_CONTAINER_KIND]: SANDBOX_KIND },
          HostConfig: hostConfig,
        };
        const id = await docker.createContainer(`ild-${podUid}-sandbox`, body);
        signal?.throwIfAborted();
        if (request.podIp && podIpNetwork) {
          await docker.connectNetwork(
            podIpNetwork.network,
            id,
            { IPAMConfig: { IPv4Address: request.podIp } },
            call,
          );
        }
        await docker.startContainer(id, call);
        if (request.podIp && podIpNetwork) {
          for (const route of podIpNetwork.routes ?? []) {
            const result = await docker.exec(
              id,
              ["ip", "route", "replace", route.cidr, "via", route.via],
              call,
            );
            if (result.exitCode !== 0) {
              throw new Error(`ip route replace ${route.cidr} via ${route.via}: ${result.stderr.trim()}`);
            }
          }
        }
        ensureEvents();
        const ip = request.podIp ?? (await ipOf(id, network));
        return toSandbox(podUid, id, ip, plan, plan.shareProcessNamespace === true);
      } catch (error) {
        await removeSandbox({ podUid: request.podUid }).catch(() => {});
        throw error;
      }
    },

    async adopt(podUid: string, signal?: AbortSignal): Promise<Sandbox | undefined> {
      const found = await findSandbox(podUid, signal);
      if (found === undefined || found.state !== "running") {
        return undefined;
      }
      ensureEvents();
      const ip = await ipOf(found.id, options.podIpNetwork?.network);
      const sandbox = toSandbox(podUid, found.id, ip, undefined);
      const volumes = await docker.listVolumes({
        label: [`${LABEL_RUNNER}=${runnerId}`, `${LABEL_POD_UID}=${podUid}`],
      });
      const names = sandbox.memoryVolumeNames as Record<string, string>;
      for (const volume of volumes) {
        const name = volume.labels[LABEL_VOLUME];
        if (name !== undefined) {
          names[name] = volume.name;
        }
      }
      return sandbox;
    },

    async listSandboxPodUids(signal?: AbortSignal): Promise<string[]> {
      const found = await docker.listContainers(
        { all: true, label: [`${LABEL_RUNNER}=${runnerId}`, `${LABEL_CONTAINER_KIND}=${SANDBOX_KIND}`] },
        signal ? { signal } : {},
      );
      return found.map((item) => item.labels[LABEL_POD_UID] ?? "").filter((uid) => uid !== "");
    },

    ensureImage(_sandbox: Sandbox, request: EnsureImageRequest): Promise<void> {
      return ensureImageIn(docker, request);
    },

    watch(sandbox: Sandbox, listener: (event: DockerEvent) => void, signal: AbortSignal): void {
      ensureEvents();
      let set = listeners.get(sandbox.podUid);
      if (set === undefined) {
        set = new Set();
        listeners.set(sandbox.podUid, set);
      }
      set.add(listener);
      signal.addEventListener("abort", () => set.delete(listener), { once: true });
    },

    removeSandbox,

    close(): void {
      events?.abort();
      events = undefined;
      listeners.clear();
    },
  };
}
