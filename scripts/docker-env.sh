#!/usr/bin/env bash
# docker-env.sh: make a Docker engine and ild's offline images available on a Debian 12 machine.
# Idempotent: every step is skipped when already done; an engine that answers is never touched.
#
#   1. engine: when none answers, install Debian's docker.io (root only) and start dockerd
#      without systemd, then wait until /_ping answers;
#   2. images, built offline from Debian packages (no container registry), each only when missing:
#        ild/busybox:1               busybox-static on scratch        (~2 MB)
#        ild/python:3-slim-offline   Debian essential + python3       (~96 MB)
#        ild/dind:1                  Debian + docker.io, iptables     (~250 MB)
#        ild/python-big:1            Debian + python3, numpy, OpenBLAS, gcc/g++, nginx, rclone
#                                    (~525 MB: a real-sized image for the end-to-end tests;
#                                    ~50 CPU-s to build, ~+30 s on a first set-up on 2 cores)
#      The Debian builds run in parallel. A newly built image is smoke-tested.
#
# Usage: scripts/docker-env.sh [--engine-only] [--verify]
# Env:   ILD_BUSYBOX_IMAGE ILD_PYTHON_IMAGE ILD_DIND_IMAGE ILD_PYTHON_BIG_IMAGE (tags), ILD_DOCKERD_LOG
#        (/var/log/ild-dockerd.log), ILD_DOCKERD_ARGS (extra dockerd flags), ILD_READY_TIMEOUT (60 s)
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BUSYBOX_IMAGE=${ILD_BUSYBOX_IMAGE:-ild/busybox:1}
PYTHON_IMAGE=${ILD_PYTHON_IMAGE:-ild/python:3-slim-offline}
DIND_IMAGE=${ILD_DIND_IMAGE:-ild/dind:1}
PYTHON_BIG_IMAGE=${ILD_PYTHON_BIG_IMAGE:-ild/python-big:1}
DOCKERD_LOG=${ILD_DOCKERD_LOG:-/var/log/ild-dockerd.log}
READY_TIMEOUT=${ILD_READY_TIMEOUT:-60}
STD_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
# --privileged fails where the bounding set lacks CAP_SYS_RESOURCE; this set works (host and nested)
DIND_FLAGS=(--cap-add ALL --cap-drop SYS_RESOURCE --security-opt seccomp=unconfined
  --security-opt apparmor=unconfined --security-opt systempaths=unconfined
  --device-cgroup-rule 'a *:* rwm')

ENGINE_ONLY=0 VERIFY=0
for arg in "$@"; do
  case "$arg" in
    --engine-only) ENGINE_ONLY=1 ;;
    --verify) VERIFY=1 ;;
    -h|--help) sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "docker-env: unknown argument '$arg' (see --help)" >&2; exit 2 ;;
  esac
done

T0=$(date +%s%N)
ms_since() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }
log() { printf '  [engine %5ss] %s\n' "$(awk "BEGIN{printf \"%.1f\", $(ms_since "$T0")/1000}")" "$*"; }
die() { log "ERROR: $*" >&2; exit 1; }
PATH=$PATH:/usr/local/sbin:/usr/sbin:/sbin
export DEBIAN_FRONTEND=noninteractive

WORK="" SMOKE_CID=""
cleanup() {
  if [ -n "$SMOKE_CID" ]; then docker rm -fv "$SMOKE_CID" >/dev/null 2>&1 || :; fi
  if [ -n "$WORK" ]; then rm -rf "$WORK"; fi
}
trap cleanup EXIT
workdir() { [ -n "$WORK" ] || WORK=$(mktemp -d "${TMPDIR:-/tmp}/ild-docker-env.XXXXXX"); }

APT_UPDATED=0
apt_install() { # installs the packages that are missing
  local missing=() p
  for p in "$@"; do
    dpkg-query -W -f '${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  [ "${#missing[@]}" -eq 0 ] && return 0
  [ "$(id -u)" = 0 ] || die "need root to install ${missing[*]} (apt-get)"
  if [ "$APT_UPDATED" = 0 ]; then
    apt-get -q -o DPkg::Lock::Timeout=300 update >/dev/null || die "apt-get update failed"
    APT_UPDATED=1
  fi
  local t; t=$(date +%s%N)
  apt-get install -y -q --no-install-recommends -o DPkg::Lock::Timeout=300 "${missing[@]}" >/dev/null \
    || die "apt-get install ${missing[*]} failed"
  log "installed ${missing[*]} ($(ms_since "$t") ms)"
}

# ------------------------------------------------------------------ engine
engine_answers() { docker version --format '{{.Server.Version}}' >/dev/null 2>&1; }
alive() { # pid exists and is not a zombie
  local stat; read -r stat < "/proc/$1/stat" 2>/dev/null || return 1
  stat=${stat##*) }; [ "${stat%% *}" != Z ]
}
own_dockerd() { # a live dockerd of this mount namespace (not one inside a container)
  local d self; self=$(readlink /proc/self/ns/mnt)
  for d in /proc/[0-9]*; do
    [ "$(cat "$d/comm" 2>/dev/null)" = dockerd ] || continue
    [ "$(readlink "$d/ns/mnt" 2>/dev/null)" = "$self" ] || continue
    alive "${d#/proc/}" && { echo "${d#/proc/}"; return 0; }
  done
  return 1
}
wait_engine() {
  local deadline=$(( $(date +%s) + READY_TIMEOUT ))
  until engine_answers; do
    own_dockerd >/dev/null || return 1
    [ "$(date +%s)" -lt "$deadline" ] || return 1
    sleep 0.1
  done
}
start_dockerd() {
  mkdir -p "$(dirname "$DOCKERD_LOG")"
  # shellcheck disable=SC2086 # ILD_DOCKERD_ARGS is a list of flags
  setsid nohup dockerd --exec-opt native.cgroupdriver=cgroupfs ${ILD_DOCKERD_ARGS:-} "$@" \
    >>"$DOCKERD_LOG" 2>&1 </dev/null &
}
ensure_engine() {
  if engine_answers; then
    log "engine answers: $(docker version --format 'server {{.Server.Version}}, API {{.Server.APIVersion}}') (left as it is)"
    return 0
  fi
  if [ -n "${DOCKER_HOST:-}" ] && [ "$DOCKER_HOST" != unix:///var/run/docker.sock ]; then
    die "DOCKER_HOST=$DOCKER_HOST does not answer; fix it or unset it to use a local engine"
  fi
  command -v dockerd >/dev/null 2>&1 && command -v docker >/dev/null 2>&1 || apt_install docker.io
  if own_dockerd >/dev/null; then
    log "a dockerd is starting (not ours to touch); waiting for it"
    wait_engine || die "the running dockerd did not answer within ${READY_TIMEOUT}s"
    return 0
  fi
  [ "$(id -u)" = 0 ] || die "no Docker engine answers and starting one needs root"
  if ! grep -qE ' cgroup2? ' /proc/mounts; then apt_install cgroupfs-mount; cgroupfs-mount; fi
  local t; t=$(date +%s%N)
  start_dockerd
  if ! wait_engine; then
    if tail -n 30 "$DOCKERD_LOG" | grep -qi iptables; then
      log "dockerd stopped on an iptables error; starting it with --iptables=false"
      start_dockerd --iptables=false
      wait_engine || die "dockerd did not come up; see $DOCKERD_LOG"
    else
      tail -n 15 "$DOCKERD_LOG" >&2; die "dockerd did not come up; see $DOCKERD_LOG"
    fi
  fi
  log "started dockerd ($(ms_since "$t") ms, log $DOCKERD_LOG): $(docker info --format 'server {{.ServerVersion}}, {{.Driver}}, cgroup {{.CgroupDriver}} v{{.CgroupVersion}}')"
}

# ------------------------------------------------------------------ images
have_image() { docker image inspect "$1" >/dev/null 2>&1; }
# A hash of what builds an image (its build function; the entrypoint too for dind), kept as the label
# io.ild.recipe: an image built from an older recipe is rebuilt, not silently reused.
recipe_of() { { declare -f "build_$1"; [ "$1" != dind ] || cat "$HERE/images/dind-entrypoint.sh"; } | sha256sum | cut -c1-16; }
current_image() { # name, recipe key
  [ "$(docker image inspect -f '{{index .Config.Labels "io.ild.recipe"}}' "$1" 2>/dev/null)" = "$(recipe_of "$2")" ]
}
size_of() { echo "$(( $(docker image inspect -f '{{.Size}}' "$1") / 1000000 )) MB"; }
apt_sources() { # the Debian sources this machine's apt uses, as a file for mmdebstrap
  local f
  for f in /etc/apt/sources.list.d/debian.sources /etc/apt/sources.list.d/*.sources; do
    [ -s "$f" ] && grep -qs 'debian' "$f" && { echo "$f"; return 0; }
  done
  if grep -qsE '^deb ' /etc/apt/sources.list; then
    grep -E '^deb ' /etc/apt/sources.list > "$WORK/sources.list"; echo "$WORK/sources.list"
  fi
}
suite() { (. /etc/os-release 2>/dev/null; echo "${VERSION_CODENAME:-bookworm}"); }
MMDEB=(--quiet --variant=essential --hook-dir=/usr/share/mmdebstrap/hooks/merged-usr
  --dpkgopt=force-unsafe-io '--dpkgopt=path-exclude=/usr/share/man/*'
  '--dpkgopt=path-exclude=/usr/share/doc/*' '--dpkgopt=path-include=/usr/share/doc/*/copyright'
  '--dpkgopt=path-exclude=/usr/share/locale/*' '--dpkgopt=path-exclude=/usr/share/info/*')

build_busybox() {
  local d="$WORK/busybox" applet
  mkdir -p "$d/deb" "$d/root"/{bin,etc,tmp,root,proc,sys,dev,var,usr}
  (cd "$d/deb" && apt-get download -q -o APT::Sandbox::User=root busybox-static >/dev/null 2>&1) || {
    apt-get -q update >/dev/null; APT_UPDATED=1
    (cd "$d/deb" && apt-get download -q -o APT::Sandbox::User=root busybox-static >/dev/null)
  } || die "could not download busybox-static"
  dpkg-deb -x "$d"/deb/busybox-static_*.deb "$d/x"
  cp "$d/x/bin/busybox" "$d/root/bin/busybox"
  chmod 1777 "$d/root/tmp"
  for applet in $("$d/root/bin/busybox" --list); do
    [ "$applet" = busybox ] || ln -s busybox "$d/root/bin/$applet"
  done
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' > "$d/root/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' > "$d/root/etc/group"
  tar --numeric-owner -C "$d/root" -c . | docker import --change "ENV PATH=$STD_PATH" \
    --change 'CMD ["sh"]' - "$BUSYBOX_IMAGE" >/dev/null
}
build_python() {
  local src; src=$(apt_sources)
  mmdebstrap "${MMDEB[@]}" --include=python3 "$(suite)" "$WORK/python.tar" ${src:+"$src"}
  docker import --change "ENV PATH=$STD_PATH" --change 'ENV LANG=C.UTF-8' --change 'CMD ["python3"]' \
    --change "LABEL io.ild.recipe=$(recipe_of python)" "$WORK/python.tar" "$PYTHON_IMAGE" >/dev/null
}
build_python_big() { # numpy with a real BLAS, a compiler for pip builds, a web server, a sync tool + FUSE
  local src; src=$(apt_sources)
  mmdebstrap "${MMDEB[@]}" --include=python3,python3-numpy,python3-dev,g++,libopenblas0-pthread,nginx,rclone,fuse3 \
    "$(suite)" "$WORK/python-big.tar" ${src:+"$src"}
  docker import --change "ENV PATH=$STD_PATH" --change 'ENV LANG=C.UTF-8' --change 'CMD ["python3"]' \
    --change "LABEL io.ild.recipe=$(recipe_of python_big)" "$WORK/python-big.tar" "$PYTHON_BIG_IMAGE" >/dev/null
}
build_dind() {
  local src; src=$(apt_sources)
  mmdebstrap "${MMDEB[@]}" --include=docker.io,iptables,mount \
    --dpkgopt=path-exclude=/usr/bin/ctr --dpkgopt=path-exclude=/usr/bin/containerd-stress \
    --dpkgopt=path-exclude=/usr/bin/containerd-shim --dpkgopt=path-exclude=/usr/bin/containerd-shim-runc-v1 \
    --dpkgopt=path-exclude=/usr/bin/dnet --dpkgopt=path-exclude=/usr/sbin/ovrouter \
    '--dpkgopt=path-exclude=/usr/share/docker.io/*' \
    --customize-hook="install -m 0755 '$HERE/images/dind-entrypoint.sh' \"\$1/usr/local/bin/dind-entrypoint\"" \
    "$(suite)" "$WORK/dind.tar" ${src:+"$src"}
  docker import --change "ENV PATH=$STD_PATH" --change "LABEL io.ild.recipe=$(recipe_of dind)" \
    --change 'ENTRYPOINT ["/usr/bin/tini", "--", "/usr/local/bin/dind-entrypoint"]' \
    --change 'VOLUME /var/lib/docker' "$WORK/dind.tar" "$DIND_IMAGE" >/dev/null
}

smoke_busybox() { [ "$(docker run --rm --network none "$BUSYBOX_IMAGE" echo ok)" = ok ]; }
smoke_python() {
  [ "$(docker run --rm --network none "$PYTHON_IMAGE" python3 -c 'import json, sqlite3, ssl, http.server; print("ok")')" = ok ]
}
smoke_python_big() {
  local out
  out=$(docker run --rm --network none "$PYTHON_BIG_IMAGE" sh -c \
    'python3 -c "import numpy; print(int(numpy.arange(6).reshape(2, 3).sum()))" && nginx -v 2>&1 && rclone version | head -n 1 && command -v fusermount3' 2>&1)
  case "$out" in 15*"nginx version"*rclone*fusermount3*) ;; *) echo "$out" >&2; return 1 ;; esac
}
smoke_dind() {
  local out i
  SMOKE_CID=$(docker run -d --label io.ild.managed-by=docker-env "${DIND_FLAGS[@]}" \
    --tmpfs /var/lib/docker:rw,exec,suid,dev,size=2g "$DIND_IMAGE")
  for i in $(seq 1 300); do
    docker exec "$SMOKE_CID" docker version >/dev/null 2>&1 && break
    sleep 0.1
  done
  docker save "$BUSYBOX_IMAGE" | docker exec -i "$SMOKE_CID" docker load >/dev/null
  out=$(docker exec "$SMOKE_CID" docker run --rm "$BUSYBOX_IMAGE" echo ok 2>&1) || :
  docker rm -fv "$SMOKE_CID" >/dev/null; SMOKE_CID=""
  [ "$out" = ok ] || { echo "$out" >&2; return 1; }
}

ensure_images() {
  local built=() pids=() names=() i t rc=0
  workdir
  if have_image "$BUSYBOX_IMAGE"; then log "image $BUSYBOX_IMAGE present ($(size_of "$BUSYBOX_IMAGE"))"
  else t=$(date +%s%N); build_busybox; built+=(busybox); log "built $BUSYBOX_IMAGE ($(ms_since "$t") ms)"; fi
  local image key
  for key in python dind python_big; do
    case "$key" in python) image=$PYTHON_IMAGE ;; dind) image=$DIND_IMAGE ;; python_big) image=$PYTHON_BIG_IMAGE ;; esac
    if current_image "$image" "$key"; then log "image $image present ($(size_of "$image"))"
    else
      have_image "$image" && log "image $image was built from an older recipe: rebuilding"
      names+=("$key")
    fi
  done
  if [ "${#names[@]}" -gt 0 ]; then
    apt_install mmdebstrap
    t=$(date +%s%N)
    log "building ${names[*]} from Debian packages, in parallel (about 30-60 s)"
    for i in "${names[@]}"; do
      (s=$(date +%s%N); "build_$i" && ms_since "$s" >"$WORK/$i.ms") >"$WORK/$i.log" 2>&1 & pids+=($!)
    done
    for i in "${!pids[@]}"; do
      if ! wait "${pids[$i]}"; then rc=1; tail -n 25 "$WORK/${names[$i]}.log" >&2; fi
    done
    [ "$rc" = 0 ] || die "image build failed"
    built+=("${names[@]}")
    local each=()
    for i in "${names[@]}"; do each+=("$i $(cat "$WORK/$i.ms") ms"); done
    log "built ${names[*]} in parallel ($(ms_since "$t") ms; $(IFS=,; echo "${each[*]}" | sed 's/,/, /g'))"
  fi
  [ "$VERIFY" = 1 ] && built=(busybox python dind python_big)
  for i in "${built[@]}"; do
    t=$(date +%s%N)
    "smoke_$i" || die "smoke test of the $i image failed"
    log "smoke test $i ok ($(ms_since "$t") ms)"
  done
}

ensure_engine
[ "$ENGINE_ONLY" = 1 ] || ensure_images
