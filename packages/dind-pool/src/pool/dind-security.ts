/**
 * The DIND container's own security settings (pure). Measured on the project's VMs (kernel 6.18,
 * cgroup v1, Docker 20.10, no CAP_SYS_RESOURCE; docs/operating.md "DIND boundary"):
 *
 * - `hardened` (what `auto` picks): Docker's default capabilities plus SYS_ADMIN and NET_ADMIN, the
 *   default device cgroup (null, zero, full, random, urandom, tty, console, ptmx, pts, tun; mknod
 *   only) plus the devices a pod booked, Docker's masked and read-only /proc paths, a deny-list
 *   seccomp filter. The inner dockerd, containerd and runc start containers with their default
 *   capabilities, bridge networking with iptables and overlay2 with exactly this.
 * - `capabilities`: the old recipe (every capability but SYS_RESOURCE, all devices, nothing masked,
 *   no seccomp); an explicit opt-in only.
 * - `privileged`: `--privileged` (fails where the bounding set lacks a capability); explicit opt-in.
 */
import { DOCKER_DEFAULT_CAPABILITIES } from "@ild/common";
import type { DindDevices } from "../pool-types.js";

export type ResolvedSecurityMode = "hardened" | "capabilities" | "privileged";

export interface DindSecurityOptions {
  /** OCI runtime of the DIND (`HostConfig.Runtime`), e.g. `sysbox-runc`; unset = the engine's default. */
  runtime?: string;
  /**
   * Pods may run privileged inside their DIND (the operator's `policy.privileged: allow`): the DIND
   * then has every capability but SYS_RESOURCE (an inner container cannot get a capability its DIND
   * lacks) and /dev/fuse. The device cgroup stays restricted.
   */
  allowPrivilegedPods?: boolean;
  /**
   * Run the inner dockerd with `--userns-remap` (root of an inner container is uid 100000 of the
   * DIND). Measured: works for the engine, but Docker then refuses `NetworkMode: host` and fails
   * `IpcMode: host`, which the pod runner uses to put a pod's containers in the DIND's namespaces,
   * and host-owned pod files (0400/0700 root) become unreadable. Off by default.
   */
  userNamespaceRemap?: boolean;
}

/** Docker's default capability set (what every inner container gets unless a pod adds or drops). */
export const dockerDefaultCapabilities = DOCKER_DEFAULT_CAPABILITIES;

/** The DIND's bounding set in `hardened` mode: the inner engine needs mounts and its bridge/iptables. */
export const hardenedCapabilities = [...dockerDefaultCapabilities, "SYS_ADMIN", "NET_ADMIN"] as const;

/** The user inner containers' root is mapped to with `userNamespaceRemap` (the entrypoint creates it). */
export const userNamespaceRemapUser = "ild-remap";
export const userNamespaceRemapRange = { start: 100_000, count: 65_536 } as const;

/**
 * Syscalls no inner engine needs that widen the kernel surface a DIND's root can reach: module and
 * kexec loading, handle-based opens, userfaultfd, perf, io_uring, swap, clock and accounting changes.
 * Everything else is allowed (Docker's default profile blocks keyctl, which runc needs for every
 * container: "unable to join session keyring"). Inner containers get the inner engine's default
 * profile on top of this one.
 */
export const dindSeccompDeniedSyscalls = [
  "acct",
  "clock_adjtime",
  "clock_settime",
  "delete_module",
  "finit_module",
  "init_module",
  "io_uring_enter",
  "io_uring_register",
  "io_uring_setup",
  "ioperm",
  "iopl",
  "kexec_file_load",
  "kexec_load",
  "lookup_dcookie",
  "open_by_handle_at",
  "perf_event_open",
  "quotactl",
  "reboot",
  "settimeofday",
  "swapoff",
  "swapon",
  "userfaultfd",
] as const;

/** The seccomp profile of a hardened DIND, as the Engine API takes it (`seccomp=<json>`). */
export function dindSeccompProfile(): string {
  return JSON.stringify({
    defaultAction: "SCMP_ACT_ALLOW",
    syscalls: [{ names: [...dindSeccompDeniedSyscalls], action: "SCMP_ACT_ERRNO", errnoRet: 1 }],
  });
}

/** /dev/fuse for DINDs whose pods may run privileged (FUSE mounts such as rclone). */
export const fuseDevice = { PathOnHost: "/dev/fuse", PathInContainer: "/dev/fuse", CgroupPermissions: "rwm" };

/** True for runtimes that give the DIND its own user namespace and virtualised /proc, /sys. */
export function isSysboxRuntime(runtime: string | undefined): boolean {
  return runtime !== undefined && /^sysbox(-runc)?$/.test(runtime);
}

/**
 * The security part of the DIND's HostConfig. Devices the pod booked (`devices.devices`, GPUs by
 * DeviceRequests) are added by the caller; the engine adds their device cgroup rules itself, so the
 * DIND never needs a wildcard rule.
 */
export function securityHostConfig(
  mode: ResolvedSecurityMode,
  options: DindSecurityOptions = {},
): Record<string, unknown> {
  const runtime = options.runtime === undefined ? {} : { Runtime: options.runtime };
  if (mode === "privileged") {
    return { Privileged: true, ...runtime };
  }
  if (mode === "capabilities") {
    return {
      CapAdd: ["ALL"],
      CapDrop: ["SYS_RESOURCE"],
      SecurityOpt: ["seccomp=unconfined", "apparmor=unconfined"],
      // the CLI's `--security-opt systempaths=unconfined` is these two empty lists in the API
      MaskedPaths: [],
      ReadonlyPaths: [],
      DeviceCgroupRules: ["a *:* rwm"],
      ...runtime,
    };
  }
  if (isSysboxRuntime(options.runtime)) {
    // sysbox runs the DIND in its own user namespace with a virtualised /proc and /sys: no extra
    // capability, profile or device is needed (and --privileged is not wanted there)
    return { ...runtime, ...(options.allowPrivilegedPods ? { Devices: [fuseDevice] } : {}) };
  }
  const capAdd: string[] = options.allowPrivilegedPods ? ["ALL"] : [...hardenedCapabilities];
  const capDrop = options.allowPrivilegedPods ? ["SYS_RESOURCE"] : ["ALL"];
  if (options.userNamespaceRemap && !options.allowPrivilegedPods) {
    // runc needs it to set up a user namespace here (measured: "can't get final child's PID from pipe")
    capAdd.push("SYS_PTRACE");
  }
  return {
    CapDrop: capDrop,
    CapAdd: capAdd,
    // AppArmor's docker-default profile forbids mount(2): the inner engine cannot run under it
    SecurityOpt: [`seccomp=${dindSeccompProfile()}`, "apparmor=unconfined"],
    // a user namespace can only mount a new /proc where a fully visible one exists: no masks then
    ...(options.userNamespaceRemap ? { MaskedPaths: [], ReadonlyPaths: [] } : {}),
    // /proc/sys stays read-only: the inner engine's bridge needs forwarding, set it from outside
    Sysctls: { "net.ipv4.ip_forward": "1" },
    ...(options.allowPrivilegedPods ? { Devices: [fuseDevice] } : {}),
    ...runtime,
  };
}

/** The inner dockerd flags and environment that `options` add to the DIND. */
export function securityDaemonArgs(options: DindSecurityOptions = {}): { args: string[]; env: string[] } {
  if (!options.userNamespaceRemap) {
    return { args: [], env: [] };
  }
  const { start, count } = userNamespaceRemapRange;
  return {
    args: [`--userns-remap=${userNamespaceRemapUser}`],
    env: [`ILD_USERNS_REMAP=${userNamespaceRemapUser}:${start}:${count}`],
  };
}

/** Devices of the DIND: the booked ones plus those its security options add (never a wildcard). */
export function mergeDevices(
  security: Record<string, unknown>,
  devices: DindDevices | undefined,
): Array<{ PathOnHost: string; PathInContainer: string; CgroupPermissions: string }> | undefined {
  const added = (security.Devices as (typeof fuseDevice)[] | undefined) ?? [];
  const booked = devices?.devices ?? [];
  const all = [...booked];
  for (const device of added) {
    if (!all.some((existing) => existing.PathInContainer === device.PathInContainer)) {
      all.push(device);
    }
  }
  return all.length === 0 ? undefined : all;
}
