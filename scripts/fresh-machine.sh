#!/usr/bin/env bash
# fresh-machine.sh: run a README command on a simulated fresh machine, to prove a newcomer's experience.
# The "machine" is a container of a minimal Debian 12 (apt, no Docker, no pnpm) with only this machine's
# Node.js and npm copied in, running as root with the capability set a nested engine needs, its own
# /var/lib/docker, and a fresh clone of this repository's HEAD (committed work only).
#
# Usage: scripts/fresh-machine.sh [--keep] -- <command...>     e.g.  scripts/fresh-machine.sh -- ./ild test
# Needs: a running engine here, root, mmdebstrap (installed when missing).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
IMAGE=${ILD_FRESH_IMAGE:-ild/fresh-debian:12}
KEEP=0
while [ $# -gt 0 ]; do
  case "$1" in
    --keep) KEEP=1; shift ;;
    --) shift; break ;;
    *) echo "usage: $0 [--keep] -- <command...>" >&2; exit 2 ;;
  esac
done
[ $# -gt 0 ] || { echo "usage: $0 [--keep] -- <command...>" >&2; exit 2; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/ild-fresh.XXXXXX")
CID=""
cleanup() {
  if [ -n "$CID" ] && [ "$KEEP" = 0 ]; then docker rm -fv "$CID" >/dev/null 2>&1 || :; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

if ! docker image inspect "$IMAGE" >/dev/null 2>&1; then
  command -v mmdebstrap >/dev/null || apt-get install -y -q --no-install-recommends mmdebstrap >/dev/null
  echo "building $IMAGE (minimal Debian with apt, no Docker)"
  mmdebstrap --quiet --variant=apt --include=ca-certificates,mount,git,procps,iproute2 \
    bookworm "$WORK/rootfs.tar" /etc/apt/sources.list.d/debian.sources
  docker import --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    "$WORK/rootfs.tar" "$IMAGE" >/dev/null
fi

git clone -q "$ROOT" "$WORK/repo"
mkdir -m 1777 "$WORK/tmp"   # a real machine's /tmp is on its disk, not on a container's overlayfs
# /usr/local of the fresh machine: this machine's node and npm, nothing else
mkdir -p "$WORK/usr-local/bin" "$WORK/usr-local/lib/node_modules"
cp "$(readlink -f "$(command -v node)")" "$WORK/usr-local/bin/node"
cp -a "$(cd "$(dirname "$(readlink -f "$(command -v npm)")")/.." && pwd)" "$WORK/usr-local/lib/node_modules/npm"
ln -s ../lib/node_modules/npm/bin/npm-cli.js "$WORK/usr-local/bin/npm"
ln -s ../lib/node_modules/npm/bin/npx-cli.js "$WORK/usr-local/bin/npx"
# what every machine of this kind has besides Node: its CA bundle (registries are reached through a
# TLS proxy) and its npm configuration
NPMRC_MOUNTS=()
[ -f /etc/npmrc ] && NPMRC_MOUNTS+=(-v /etc/npmrc:/etc/npmrc:ro)
GLOBAL_NPMRC=$(npm config get globalconfig 2>/dev/null || :)
[ -f "$GLOBAL_NPMRC" ] && NPMRC_MOUNTS+=(-v "$GLOBAL_NPMRC:/usr/local/etc/npmrc:ro")
# the device nodes a real machine of this kind has and a container does not get by default
for device in /dev/net/tun /dev/fuse; do
  [ -e "$device" ] && NPMRC_MOUNTS+=(--device "$device")
done
for var in NODE_EXTRA_CA_CERTS SSL_CERT_FILE SSL_CERT_DIR; do
  [ -n "${!var:-}" ] && NPMRC_MOUNTS+=(-e "$var=${!var}")
done
[ -f "$HOME/.npmrc" ] && NPMRC_MOUNTS+=(-v "$HOME/.npmrc:/root/.npmrc:ro")
CID=$(docker create --label io.ild.managed-by=fresh-machine \
  --cap-add ALL --cap-drop SYS_RESOURCE --security-opt seccomp=unconfined --security-opt apparmor=unconfined \
  --security-opt systempaths=unconfined --device-cgroup-rule 'a *:* rwm' \
  --tmpfs /var/lib/docker:rw,exec,suid,dev,size=20g --tmpfs /run:rw,exec,suid,dev \
  -v "$WORK/usr-local:/usr/local" -v "$WORK/repo:/work/repo" -v "$WORK/tmp:/tmp" -w /work/repo \
  -v /etc/ssl/certs/ca-certificates.crt:/etc/ssl/certs/ca-certificates.crt:ro \
  ${NPMRC_MOUNTS[@]+"${NPMRC_MOUNTS[@]}"} \
  -e CI=true "$IMAGE" sh -c '
    mount -o remount,rw /sys 2>/dev/null
    while read -r _ mp fs _; do case "$fs" in cgroup|cgroup2) mount -o remount,rw,bind "$mp" 2>/dev/null;; esac; done < /proc/mounts
    exec "$@"' sh "$@")
echo "fresh machine $CID: running $*"
docker start -a "$CID"
