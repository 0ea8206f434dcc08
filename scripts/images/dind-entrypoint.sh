#!/bin/sh
# Entrypoint of the ild/dind image. The container is not --privileged (that fails on hosts whose
# capability bounding set lacks CAP_SYS_RESOURCE), so /sys and the cgroup hierarchies arrive
# read-only: make them writable, optionally seed the image store, then exec dockerd with the
# container's arguments (they are dockerd flags, e.g. -H unix:///run/ild/docker.sock).
set -eu
mount -o remount,rw /sys 2>/dev/null || :
while read -r _src mountpoint fstype _rest; do
  case "$fstype" in
    cgroup|cgroup2) mount -o remount,rw,bind "$mountpoint" 2>/dev/null || : ;;
  esac
done < /proc/mounts
# cgroup v2: move our processes to a child group so that dockerd can enable controllers
if [ -f /sys/fs/cgroup/cgroup.controllers ]; then
  mkdir -p /sys/fs/cgroup/init
  xargs -rn1 < /sys/fs/cgroup/cgroup.procs > /sys/fs/cgroup/init/cgroup.procs 2>/dev/null || :
  sed -e 's/ / +/g' -e 's/^/+/' < /sys/fs/cgroup/cgroup.controllers \
    > /sys/fs/cgroup/cgroup.subtree_control 2>/dev/null || :
fi
mount --make-rshared / 2>/dev/null || :
# Optional user-namespace remap (ILD_USERNS_REMAP=user:start:count; the pool also passes
# --userns-remap=user to dockerd): root of an inner container is uid <start> of this DIND.
if [ -n "${ILD_USERNS_REMAP:-}" ]; then
  IFS=: read -r remap_user remap_start remap_count <<EOF
$ILD_USERNS_REMAP
EOF
  grep -q "^$remap_user:" /etc/passwd ||
    echo "$remap_user:x:$remap_start:$remap_start::/nonexistent:/usr/sbin/nologin" >> /etc/passwd
  grep -q "^$remap_user:" /etc/group || echo "$remap_user:x:$remap_start:" >> /etc/group
  echo "$remap_user:$remap_start:$remap_count" > /etc/subuid
  echo "$remap_user:$remap_start:$remap_count" > /etc/subgid
fi
# Optional read-only seed: a STOPPED engine's data root mounted at $ILD_SEED_DIR. Its metadata is
# copied and, with overlay2, each layer's diff is linked instead of copied (ILD_SEED_MODE=copy
# copies everything). Only when our own data root is still empty.
if [ -n "${ILD_SEED_DIR:-}" ] && [ -d "$ILD_SEED_DIR" ] && [ -z "$(ls -A /var/lib/docker 2>/dev/null)" ]; then
  # a remapped engine keeps its store one level down (<uid>.<gid>/overlay2)
  seed_overlay2=""
  for store in "$ILD_SEED_DIR"/overlay2 "$ILD_SEED_DIR"/*/overlay2; do
    if [ -d "$store" ]; then seed_overlay2=yes; fi
  done
  if [ "${ILD_SEED_MODE:-link}" = link ] && [ -n "$seed_overlay2" ]; then
    tar -C "$ILD_SEED_DIR" --anchored --no-wildcards-match-slash --exclude='./overlay2/*/diff' \
      --exclude='./*/overlay2/*/diff' -cf - . | tar -C /var/lib/docker -xf -
    for layer in "$ILD_SEED_DIR"/overlay2/*/diff "$ILD_SEED_DIR"/*/overlay2/*/diff; do
      [ -d "$layer" ] || continue
      ln -s "$layer" "/var/lib/docker/${layer#"$ILD_SEED_DIR"/}"
    done
  else
    cp -a "$ILD_SEED_DIR"/. /var/lib/docker/
  fi
fi
rm -f /var/run/docker.pid /run/docker/containerd/containerd.pid
exec dockerd "$@"
