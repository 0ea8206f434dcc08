import { describe, expect, it } from "vitest";
import { dindContainerSpec } from "./dind-container-spec.js";
import {
  dindSeccompDeniedSyscalls,
  dindSeccompProfile,
  dockerDefaultCapabilities,
  fuseDevice,
  hardenedCapabilities,
  securityDaemonArgs,
  securityHostConfig,
} from "./dind-security.js";

const base = {
  image: "ild/dind:1",
  labels: { "io.ild.pool-id": "p" },
  networkName: "ild-p-00000000",
  socketDir: "/run/ild-sockets/p/00000000",
  storage: { kind: "tmpfs" } as const,
};

describe("hardened DIND security", () => {
  it("has Docker's default capabilities plus SYS_ADMIN and NET_ADMIN, nothing else", () => {
    const hostConfig = securityHostConfig("hardened");
    expect(hostConfig.CapDrop).toEqual(["ALL"]);
    expect(hostConfig.CapAdd).toEqual([...dockerDefaultCapabilities, "SYS_ADMIN", "NET_ADMIN"]);
    expect(hostConfig.CapAdd).not.toContain("ALL");
    for (const dangerous of [
      "SYS_MODULE",
      "SYS_RAWIO",
      "SYS_PTRACE",
      "DAC_READ_SEARCH",
      "SYS_TIME",
      "SYS_BOOT",
    ]) {
      expect(hostConfig.CapAdd).not.toContain(dangerous);
    }
    // default device cgroup, default masked and read-only paths, no privileged
    expect(hostConfig.DeviceCgroupRules).toBeUndefined();
    expect(hostConfig.MaskedPaths).toBeUndefined();
    expect(hostConfig.ReadonlyPaths).toBeUndefined();
    expect(hostConfig.Privileged).toBeUndefined();
    expect(hostConfig.Devices).toBeUndefined();
    expect(hostConfig.Sysctls).toEqual({ "net.ipv4.ip_forward": "1" });
  });

  it("filters module/kexec loading and friends with a seccomp deny-list, allows the rest", () => {
    const hostConfig = securityHostConfig("hardened");
    const options = hostConfig.SecurityOpt as string[];
    expect(options).toContain("apparmor=unconfined");
    const seccomp = options.find((option) => option.startsWith("seccomp="));
    expect(seccomp).toBe(`seccomp=${dindSeccompProfile()}`);
    const profile = JSON.parse(dindSeccompProfile()) as {
      defaultAction: string;
      syscalls: Array<{ names: string[]; action: string }>;
    };
    expect(profile.defaultAction).toBe("SCMP_ACT_ALLOW");
    expect(profile.syscalls[0]?.action).toBe("SCMP_ACT_ERRNO");
    expect(profile.syscalls[0]?.names).toEqual([...dindSeccompDeniedSyscalls]);
    for (const needed of ["keyctl", "mount", "unshare", "setns", "pivot_root", "clone", "bpf"]) {
      expect(profile.syscalls[0]?.names).not.toContain(needed);
    }
    for (const denied of ["init_module", "finit_module", "kexec_load", "open_by_handle_at", "userfaultfd"]) {
      expect(profile.syscalls[0]?.names).toContain(denied);
    }
  });

  it("passes only the booked devices, never a wildcard rule", () => {
    const booked = { PathOnHost: "/dev/nvidia0", PathInContainer: "/dev/nvidia0", CgroupPermissions: "rwm" };
    const spec = dindContainerSpec({ ...base, securityMode: "hardened", devices: { devices: [booked] } });
    const hostConfig = spec.HostConfig as Record<string, unknown>;
    expect(hostConfig.Devices).toEqual([booked]);
    expect(hostConfig.DeviceCgroupRules).toBeUndefined();
    expect(
      (dindContainerSpec({ ...base, securityMode: "hardened" }).HostConfig as Record<string, unknown>)
        .Devices,
    ).toBeUndefined();
  });

  it("privileged pods allowed: every capability but SYS_RESOURCE and /dev/fuse, devices still restricted", () => {
    const booked = { PathOnHost: "/dev/nvidia0", PathInContainer: "/dev/nvidia0", CgroupPermissions: "rwm" };
    const spec = dindContainerSpec({
      ...base,
      securityMode: "hardened",
      security: { allowPrivilegedPods: true },
      devices: { devices: [booked] },
    });
    const hostConfig = spec.HostConfig as Record<string, unknown>;
    expect(hostConfig).toMatchObject({ CapAdd: ["ALL"], CapDrop: ["SYS_RESOURCE"] });
    expect(hostConfig.Devices).toEqual([booked, fuseDevice]);
    expect(hostConfig.DeviceCgroupRules).toBeUndefined();
    expect(hostConfig.MaskedPaths).toBeUndefined();
  });

  it("a configured runtime is passed as HostConfig.Runtime; sysbox needs no extra rights", () => {
    expect(securityHostConfig("hardened", { runtime: "crun" })).toMatchObject({
      Runtime: "crun",
      CapAdd: [...hardenedCapabilities],
    });
    expect(securityHostConfig("hardened", { runtime: "sysbox-runc" })).toEqual({ Runtime: "sysbox-runc" });
    expect(securityHostConfig("hardened", { runtime: "sysbox-runc", allowPrivilegedPods: true })).toEqual({
      Runtime: "sysbox-runc",
      Devices: [fuseDevice],
    });
    expect(securityHostConfig("privileged", { runtime: "crun" })).toEqual({
      Privileged: true,
      Runtime: "crun",
    });
  });

  it("user-namespace remap: dockerd flag, entrypoint env, SYS_PTRACE and a fully visible /proc", () => {
    const spec = dindContainerSpec({
      ...base,
      securityMode: "hardened",
      security: { userNamespaceRemap: true },
      innerDaemonArgs: ["--debug"],
    });
    expect(spec.Cmd).toEqual([
      "-H",
      "unix:///var/run/docker.sock",
      "-H",
      "unix:///run/ild/docker.sock",
      "--log-driver=json-file",
      "--log-opt=max-size=10m",
      "--log-opt=max-file=3",
      "--userns-remap=ild-remap",
      "--debug",
    ]);
    expect(spec.Env).toEqual(["ILD_USERNS_REMAP=ild-remap:100000:65536"]);
    const hostConfig = spec.HostConfig as Record<string, unknown>;
    expect(hostConfig.CapAdd).toEqual([...hardenedCapabilities, "SYS_PTRACE"]);
    expect(hostConfig).toMatchObject({ MaskedPaths: [], ReadonlyPaths: [] });
    expect(securityDaemonArgs()).toEqual({ args: [], env: [] });
  });
});
