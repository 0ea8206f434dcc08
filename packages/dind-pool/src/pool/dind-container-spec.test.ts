import { describe, expect, it } from "vitest";
import { dindContainerSpec, dockerdArgs, resourceUpdate, securityHostConfig } from "./dind-container-spec.js";

const base = {
  image: "ild/dind:1",
  labels: { "io.ild.pool-id": "p" },
  networkName: "ild-p-00000000",
  socketDir: "/run/ild-sockets/p/00000000",
};

describe("dindContainerSpec", () => {
  it("keeps the old capability set as an explicit opt-in", () => {
    const spec = dindContainerSpec({ ...base, securityMode: "capabilities", storage: { kind: "tmpfs" } });
    const hostConfig = spec.HostConfig as Record<string, unknown>;
    expect(hostConfig.Privileged).toBeUndefined();
    expect(hostConfig).toMatchObject({
      CapAdd: ["ALL"],
      CapDrop: ["SYS_RESOURCE"],
      SecurityOpt: ["seccomp=unconfined", "apparmor=unconfined"],
      MaskedPaths: [],
      ReadonlyPaths: [],
      DeviceCgroupRules: ["a *:* rwm"],
      NetworkMode: "ild-p-00000000",
      Tmpfs: { "/var/lib/docker": `rw,exec,suid,dev,size=${8 * 1024 ** 3}` },
    });
    expect(securityHostConfig("privileged")).toEqual({ Privileged: true });
  });

  it("bind-mounts the socket dir, the seed read-only and shared paths at the same path", () => {
    const spec = dindContainerSpec({
      ...base,
      securityMode: "privileged",
      storage: { kind: "volume", volumeName: "v" },
      seedDir: "/x/seed-1",
      sharedPaths: [{ path: "/data/pods" }, { path: "/data/secrets", readOnly: true }],
      innerDaemonArgs: ["--debug"],
    });
    const hostConfig = spec.HostConfig as Record<string, unknown>;
    expect(hostConfig.Binds).toEqual([
      "/run/ild-sockets/p/00000000:/run/ild",
      "/x/seed-1:/seed:ro",
      "/data/pods:/data/pods",
      "/data/secrets:/data/secrets:ro",
    ]);
    expect(hostConfig.Mounts).toEqual([{ Type: "volume", Source: "v", Target: "/var/lib/docker" }]);
    expect(spec.Env).toEqual(["ILD_SEED_DIR=/seed", "ILD_SEED_MODE=link"]);
    expect(spec.Cmd).toEqual([
      "-H",
      "unix:///var/run/docker.sock",
      "-H",
      "unix:///run/ild/docker.sock",
      "--log-driver=json-file",
      "--log-opt=max-size=10m",
      "--log-opt=max-file=3",
      "--debug",
    ]);
    expect(dockerdArgs()).toHaveLength(7);
  });

  it("passes devices and resources for a DIND built for one lease", () => {
    const spec = dindContainerSpec({
      ...base,
      securityMode: "capabilities",
      storage: { kind: "tmpfs", sizeBytes: 1024 },
      resources: { nanoCpus: 2e9, memoryBytes: 1024 ** 3 },
      devices: {
        deviceRequests: [{ Driver: "nvidia", DeviceIDs: ["0"], Capabilities: [["gpu"]] }],
        env: ["NVIDIA_VISIBLE_DEVICES=0"],
      },
    });
    expect(spec.HostConfig).toMatchObject({
      NanoCpus: 2e9,
      Memory: 1024 ** 3,
      MemorySwap: 1024 ** 3,
      DeviceRequests: [{ Driver: "nvidia", DeviceIDs: ["0"], Capabilities: [["gpu"]] }],
      Tmpfs: { "/var/lib/docker": "rw,exec,suid,dev,size=1024" },
    });
    expect(spec.Env).toEqual(["NVIDIA_VISIBLE_DEVICES=0"]);
  });

  it("resourceUpdate sets no swap beyond the memory limit and is undefined when empty", () => {
    expect(resourceUpdate({ memoryBytes: 10 })).toEqual({ Memory: 10, MemorySwap: 10 });
    expect(resourceUpdate({ nanoCpus: 5 })).toEqual({ NanoCpus: 5 });
    expect(resourceUpdate({})).toBeUndefined();
  });
});
