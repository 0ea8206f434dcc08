/**
 * Docker's (and containerd's) default capability set, names without the `CAP_` prefix: what every
 * container gets unless it adds or drops. One home for the policy (what a pod may add) and the DIND's
 * hardened set (what an inner engine may hand out).
 */
export const DOCKER_DEFAULT_CAPABILITIES = [
  "AUDIT_WRITE",
  "CHOWN",
  "DAC_OVERRIDE",
  "FOWNER",
  "FSETID",
  "KILL",
  "MKNOD",
  "NET_BIND_SERVICE",
  "NET_RAW",
  "SETFCAP",
  "SETGID",
  "SETPCAP",
  "SETUID",
  "SYS_CHROOT",
] as const;
