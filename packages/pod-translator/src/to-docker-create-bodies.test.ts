import type { Container, Pod } from "kubernetes-types/core/v1.js";
import { describe, expect, it } from "vitest";
import type { DockerContainerCreateBody } from "./docker-types.js";
import { RenderContextError } from "./errors.js";
import type { PodPlan } from "./plan-types.js";
import {
  type DockerRenderContext,
  dockerContainerName,
  toDockerCreateBodies,
  toDockerSandboxSettings,
} from "./to-docker-create-bodies.js";
import { translatePod } from "./translate-pod.js";

const context: DockerRenderContext = {
  podDataDir: "/data/pod",
  podSecretDir: "/run/secrets/pod",
  networkMode: "host",
};

function planOf(containers: Container[], spec: Partial<Pod["spec"]> = {}, options = {}): PodPlan {
  return translatePod({
    pod: {
      metadata: { name: "web", namespace: "prod", uid: "9f8e7d6c-5b4a-4321-8765-43210fedcba9" },
      spec: { containers, ...spec },
    },
    options,
  }).plan;
}

function bodyOf(container: Partial<Container>, renderContext: DockerRenderContext = context) {
  const plan = planOf([{ name: "main", image: "ild/busybox:1", ...container }]);
  const [rendered] = toDockerCreateBodies(plan, renderContext);
  if (!rendered) {
    throw new Error("no body");
  }
  return rendered.body;
}

describe("command and args (Kubernetes docs table)", () => {
  it.each([
    ["neither: image ENTRYPOINT and CMD", undefined, undefined, {}],
    [
      "command only: ENTRYPOINT replaced, CMD cleared",
      ["/bin/app"],
      undefined,
      { Entrypoint: ["/bin/app"], Cmd: [] },
    ],
    ["args only: image ENTRYPOINT, CMD replaced", undefined, ["--flag", "a b"], { Cmd: ["--flag", "a b"] }],
    ["both: both replaced", ["/bin/app"], ["--flag"], { Entrypoint: ["/bin/app"], Cmd: ["--flag"] }],
    ["empty lists count as unset", [], [], {}],
  ])("%s", (_label, command, args, expected) => {
    const container: Partial<Container> = {};
    if (command) {
      container.command = command;
    }
    if (args) {
      container.args = args;
    }
    const body = bodyOf(container);
    expect({ Entrypoint: body.Entrypoint, Cmd: body.Cmd }).toEqual({
      Entrypoint: undefined,
      Cmd: undefined,
      ...expected,
    });
  });

  it("never wraps anything in a shell and keeps every argument intact", () => {
    const argv = ["a b", "c;d", "$HOME", "`id`", "'q'", '"dq"', "line1\nline2", "", "*"];
    const body = bodyOf({ command: ["/bin/printf"], args: argv });
    expect(body.Entrypoint).toEqual(["/bin/printf"]);
    expect(body.Cmd).toEqual(argv);
    expect(JSON.stringify(body)).not.toMatch(/"sh","-c"|\/bin\/sh/);
  });
});

describe("bodies", () => {
  it("labels identify the pod, the container, its kind and restart generation", () => {
    const plan = planOf([{ name: "app", image: "ild/busybox:1" }], {
      initContainers: [
        { name: "init", image: "ild/busybox:1" },
        { name: "side", image: "ild/busybox:1", restartPolicy: "Always" },
      ],
    });
    const bodies = toDockerCreateBodies(plan, {
      ...context,
      labels: { "io.ild.pool-id": "p1", "io.ild.pod-uid": "spoofed" },
      restartGeneration: { app: 3 },
      namePrefix: "ild-",
    });
    expect(bodies.map(({ name, body }) => [name, body.Labels])).toEqual([
      [
        "ild-prod-web-9f8e7d6c-init",
        {
          "io.ild.pool-id": "p1",
          "io.ild.pod-uid": "9f8e7d6c-5b4a-4321-8765-43210fedcba9",
          "io.ild.pod-name": "web",
          "io.ild.pod-namespace": "prod",
          "io.ild.container-name": "init",
          "io.ild.container-kind": "init",
          "io.ild.restart-generation": "0",
        },
      ],
      [
        "ild-prod-web-9f8e7d6c-side",
        expect.objectContaining({ "io.ild.container-kind": "sidecar", "io.ild.restart-generation": "0" }),
      ],
      [
        "ild-prod-web-9f8e7d6c-app-r3",
        expect.objectContaining({ "io.ild.container-kind": "regular", "io.ild.restart-generation": "3" }),
      ],
    ]);
    expect(toDockerCreateBodies(plan, { ...context, restartGeneration: 2 }).map(({ name }) => name)).toEqual([
      "prod-web-9f8e7d6c-init-r2",
      "prod-web-9f8e7d6c-side-r2",
      "prod-web-9f8e7d6c-app-r2",
    ]);
  });

  it("names are valid for Docker and bounded even for very long pod names", () => {
    const name = dockerContainerName({ namespace: "ns", name: `a.${"b".repeat(250)}`, uid: "u-1" }, "c");
    expect(name).toMatch(/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/);
    expect(name.length).toBeLessThanOrEqual(200);
    expect(name).toBe(
      dockerContainerName({ namespace: "ns", name: `a.${"b".repeat(250)}`, uid: "u-1" }, "c"),
    );
  });

  it("env values are passed verbatim; NVIDIA_VISIBLE_DEVICES is always explicit", () => {
    const body = bodyOf({
      env: [
        { name: "Q", value: 'it\'s "x" $y\nz' },
        { name: "NVIDIA_VISIBLE_DEVICES", value: "all" },
      ],
    });
    expect(body.Env).toEqual(['Q=it\'s "x" $y\nz', "NVIDIA_VISIBLE_DEVICES=void"]);
  });

  it("GPUs: DeviceRequests with explicit UUIDs (never Count) and the same list in NVIDIA_VISIBLE_DEVICES", () => {
    const plan = planOf(
      [{ name: "main", image: "cuda:12", resources: { limits: { "nvidia.com/gpu": "2" } } }],
      {},
      {
        devices: {
          main: [
            { resource: "nvidia.com/gpu", vendor: "nvidia", id: "GPU-a" },
            { resource: "nvidia.com/gpu", vendor: "nvidia", id: "GPU-b" },
          ],
        },
      },
    );
    const body = toDockerCreateBodies(plan, context)[0]?.body;
    expect(body?.HostConfig?.DeviceRequests).toEqual([
      { Driver: "nvidia", DeviceIDs: ["GPU-a", "GPU-b"], Capabilities: [["gpu"]], Options: {} },
    ]);
    expect(JSON.stringify(body)).not.toContain('"Count"');
    expect(body?.Env).toContain("NVIDIA_VISIBLE_DEVICES=GPU-a,GPU-b");
  });

  it("AMD/generic devices: device mappings with rwm, group ids added", () => {
    const plan = planOf(
      [{ name: "main", image: "rocm:6", resources: { limits: { "amd.com/gpu": "1" } } }],
      {},
      {
        devices: {
          main: [
            {
              resource: "amd.com/gpu",
              vendor: "amd",
              paths: ["/dev/kfd", "/dev/dri/renderD129"],
              groupIds: [109],
            },
          ],
        },
      },
    );
    const body = toDockerCreateBodies(plan, context)[0]?.body;
    expect(body?.HostConfig?.Devices).toEqual([
      { PathOnHost: "/dev/kfd", PathInContainer: "/dev/kfd", CgroupPermissions: "rwm" },
      { PathOnHost: "/dev/dri/renderD129", PathInContainer: "/dev/dri/renderD129", CgroupPermissions: "rwm" },
    ]);
    expect(body?.HostConfig?.GroupAdd).toEqual(["109"]);
    expect(body?.HostConfig?.DeviceRequests).toBeUndefined();
  });

  it("ports are informational only: ExposedPorts, never PortBindings", () => {
    const body = bodyOf({
      ports: [{ containerPort: 8080 }, { containerPort: 53, protocol: "UDP" }],
    });
    expect(body.ExposedPorts).toEqual({ "8080/tcp": {}, "53/udp": {} });
    expect(body.HostConfig).not.toHaveProperty("PortBindings");
    expect(body.HostConfig).not.toHaveProperty("PublishAllPorts");
  });

  it("resources, working dir, user, tty and stdin", () => {
    const body = bodyOf({
      workingDir: "/srv",
      tty: true,
      stdin: true,
      securityContext: { runAsUser: 1000 },
      resources: { limits: { cpu: "250m", memory: "64Mi" } },
    });
    expect(body).toMatchObject({ WorkingDir: "/srv", Tty: true, OpenStdin: true, User: "1000" });
    expect(body.HostConfig).toMatchObject({
      NanoCpus: 250_000_000,
      CpuShares: 256,
      Memory: 67108864,
      MemoryReservation: 67108864,
    });
  });

  it("mounts: data-dir and secret-dir binds, hostPath binds, memory volumes by the engine's name", () => {
    const plan = translatePod({
      pod: {
        metadata: { name: "m", uid: "m-1" },
        spec: {
          volumes: [
            { name: "work", emptyDir: {} },
            { name: "mem", emptyDir: { medium: "Memory" } },
            { name: "s", secret: { secretName: "s" } },
            { name: "h", hostPath: { path: "/srv/x" } },
          ],
          containers: [
            {
              name: "a",
              image: "ild/busybox:1",
              volumeMounts: [
                { name: "work", mountPath: "/w" },
                { name: "mem", mountPath: "/m" },
                { name: "s", mountPath: "/s" },
                { name: "h", mountPath: "/h", readOnly: true },
              ],
            },
            { name: "b", image: "ild/busybox:1", volumeMounts: [{ name: "mem", mountPath: "/m" }] },
          ],
        },
      },
      containers: [{ name: "a", secrets: [{ metadata: { name: "s" }, data: { k: "dg==" } }] }],
      options: { policy: { privileged: "deny", hostPathAllowList: ["/srv"] } },
    }).plan;
    expect(() => toDockerCreateBodies(plan, context)).toThrow(RenderContextError);
    const [a] = toDockerCreateBodies(plan, {
      ...context,
      podDataDir: "/data/pod/",
      memoryVolumeNames: { mem: "ild-m-1-mem" },
    });
    expect(a?.body.HostConfig?.Mounts).toEqual([
      {
        Type: "bind",
        Source: "/data/pod/volumes/work",
        Target: "/w",
        ReadOnly: false,
        BindOptions: { Propagation: "rprivate" },
      },
      {
        Type: "volume",
        Source: "ild-m-1-mem",
        Target: "/m",
        ReadOnly: false,
        VolumeOptions: { NoCopy: true },
      },
      {
        Type: "bind",
        Source: "/run/secrets/pod/volumes/s",
        Target: "/s",
        ReadOnly: true,
        BindOptions: { Propagation: "rprivate" },
      },
      {
        Type: "bind",
        Source: "/srv/x",
        Target: "/h",
        ReadOnly: true,
        BindOptions: { Propagation: "rprivate" },
      },
    ]);
  });

  it("a memory emptyDir used by one container may fall back to a private tmpfs mount", () => {
    const plan = planOf(
      [{ name: "a", image: "ild/busybox:1", volumeMounts: [{ name: "mem", mountPath: "/m" }] }],
      {
        volumes: [{ name: "mem", emptyDir: { medium: "Memory", sizeLimit: "1Mi" } }],
      },
    );
    expect(toDockerCreateBodies(plan, context)[0]?.body.HostConfig?.Mounts).toEqual([
      { Type: "tmpfs", Target: "/m", ReadOnly: false, TmpfsOptions: { SizeBytes: 1048576, Mode: 0o777 } },
    ]);
  });

  it.each([
    [{ ...context, podDataDir: "relative" }, "podDataDir"],
    [{ ...context, podSecretDir: "/a/../b" }, "podSecretDir"],
    [{ ...context, networkMode: "" }, "networkMode"],
    [{ ...context, restartGeneration: -1 }, "restartGeneration"],
  ])("refuses a bad context (%j)", (badContext, field) => {
    const plan = planOf([{ name: "a", image: "ild/busybox:1" }]);
    try {
      toDockerCreateBodies(plan, badContext);
      throw new Error("expected RenderContextError");
    } catch (error) {
      expect(error).toBeInstanceOf(RenderContextError);
      expect((error as RenderContextError).field).toBe(field);
      expect((error as RenderContextError).code).toBe("ILD_RENDER_CONTEXT_INVALID");
    }
  });
});

describe("pod networking", () => {
  const spec: Partial<Pod["spec"]> = {
    hostname: "node-a",
    subdomain: "workers",
    hostAliases: [{ ip: "10.0.0.1", hostnames: ["db", "db.local"] }],
    dnsConfig: {
      nameservers: ["10.96.0.10"],
      searches: ["svc.local"],
      options: [{ name: "ndots", value: "2" }, { name: "edns0" }],
    },
    securityContext: {
      sysctls: [
        { name: "net.ipv4.tcp_keepalive_time", value: "600" },
        { name: "kernel.shm_rmid_forced", value: "1" },
      ],
    },
  };
  const plan = planOf([{ name: "a", image: "ild/busybox:1", ports: [{ containerPort: 80 }] }], spec);

  it("inside a DIND (host network of the inner engine): identity and resolver on each container, no net sysctls", () => {
    const body = toDockerCreateBodies(plan, context)[0]?.body;
    expect(body).toMatchObject({
      Hostname: "node-a",
      Domainname: "workers.prod.svc.cluster.local",
      ExposedPorts: { "80/tcp": {} },
    });
    expect(body?.HostConfig).toMatchObject({
      NetworkMode: "host",
      Dns: ["10.96.0.10"],
      DnsSearch: ["svc.local"],
      DnsOptions: ["ndots:2", "edns0"],
      ExtraHosts: ["db:10.0.0.1", "db.local:10.0.0.1"],
      Sysctls: { "kernel.shm_rmid_forced": "1" },
    });
  });

  it("joining a sandbox (container:<id>): nothing Docker refuses in that mode; the sandbox gets it instead", () => {
    const body: DockerContainerCreateBody | undefined = toDockerCreateBodies(plan, {
      ...context,
      networkMode: "container:abc",
      ipcMode: "container:abc",
    })[0]?.body;
    for (const key of ["Hostname", "Domainname", "ExposedPorts"]) {
      expect(body).not.toHaveProperty(key);
    }
    for (const key of ["Dns", "DnsSearch", "DnsOptions", "ExtraHosts", "Sysctls"]) {
      expect(body?.HostConfig).not.toHaveProperty(key);
    }
    expect(toDockerSandboxSettings(plan)).toEqual({
      Hostname: "node-a",
      Domainname: "workers.prod.svc.cluster.local",
      HostConfig: {
        Dns: ["10.96.0.10"],
        DnsSearch: ["svc.local"],
        DnsOptions: ["ndots:2", "edns0"],
        ExtraHosts: ["db:10.0.0.1", "db.local:10.0.0.1"],
        Sysctls: { "net.ipv4.tcp_keepalive_time": "600", "kernel.shm_rmid_forced": "1" },
      },
    });
  });

  it("the sandbox keeps memory volumes mounted so their content lives as long as the pod", () => {
    const withMemory = planOf(
      [{ name: "a", image: "ild/busybox:1", volumeMounts: [{ name: "mem", mountPath: "/m" }] }],
      {
        volumes: [
          { name: "mem", emptyDir: { medium: "Memory" } },
          { name: "disk", emptyDir: {} },
        ],
      },
    );
    expect(
      toDockerSandboxSettings(withMemory, { memoryVolumeNames: { mem: "ild-x-mem" } }).HostConfig.Mounts,
    ).toEqual([{ Type: "volume", Source: "ild-x-mem", Target: "/ild/memory-volumes/mem", ReadOnly: false }]);
    expect(toDockerSandboxSettings(withMemory).HostConfig.Mounts).toBeUndefined();
  });
});

/** A copy of `ContainerCreateBody` from @ild/dind-pool (not a dependency): our bodies must be assignable. */
interface DindPoolContainerCreateBody {
  Image: string;
  Cmd?: string[];
  Entrypoint?: string[];
  Env?: string[];
  WorkingDir?: string;
  User?: string;
  Labels?: Record<string, string>;
  Tty?: boolean;
  OpenStdin?: boolean;
  Hostname?: string;
  Domainname?: string;
  ExposedPorts?: Record<string, Record<string, never>>;
  StopSignal?: string;
  StopTimeout?: number;
  HostConfig?: Record<string, unknown>;
  NetworkingConfig?: Record<string, unknown>;
  [key: string]: unknown;
}

describe("type compatibility", () => {
  it("a DockerContainerCreateBody is a dind-pool ContainerCreateBody", () => {
    const body: DindPoolContainerCreateBody = bodyOf({ command: ["true"] });
    expect(body.Image).toBe("ild/busybox:1");
  });
});
