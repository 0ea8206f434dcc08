#!/usr/bin/env bash
# Captures what @ild/gpu sees on a real GPU machine.
#
#   packages/gpu/scripts/gpu-device-check.sh OUT_DIR [DOCKER_IMAGE]
#
# Writes, under OUT_DIR, the output of every nvidia-smi query @ild/gpu runs (one file each, with
# NAME.exit and NAME.stderr beside it), a description of the machine (device-env.txt), and, when
# `node` is here and `pnpm --filter @ild/gpu build` has run, discover.json from the built
# dist/cli/discover.js (discovery + a one-GPU booking + its Docker rendering). With DOCKER_IMAGE and a
# working `docker`, it also starts one container with the first GPU booked by UUID.
# Everything it could not do is said in OUT_DIR/summary.txt. Arguments only: nothing is eval'ed.
# Environment: NVIDIA_SMI (default nvidia-smi), ILD_GPU_CLI (default <package>/dist/cli/discover.js).
set -u -o pipefail

if [[ $# -lt 1 || -z "${1}" ]]; then
  printf 'usage: %s OUT_DIR [DOCKER_IMAGE]\n' "$0" >&2
  exit 2
fi
out=$1
image=${2:-}
script_dir=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
pkg_dir=$(dirname -- "$script_dir")
smi=${NVIDIA_SMI:-nvidia-smi}
cli=${ILD_GPU_CLI:-$pkg_dir/dist/cli/discover.js}
mkdir -p -- "$out"
: >"$out/summary.txt"

note() {
  printf '%s\n' "$*" | tee -a "$out/summary.txt"
}

# the same argument vectors as NVIDIA_SMI_ARGS in src/nvidia-discovery.ts (checked by a unit test)
fields=index,uuid,name,pci.bus_id,memory.total,memory.used,memory.free,utilization.gpu,temperature.gpu,driver_version,compute_mode,mig.mode.current
query_gpu=(--query-gpu="$fields" --format=csv,noheader,nounits)
query_gpu_header=(--query-gpu="$fields" --format=csv)
list=(-L)
topology=(topo -m)
compute_apps=(--query-compute-apps=pid,gpu_uuid,used_memory --format=csv,noheader,nounits)

capture() {
  local name=$1
  shift
  "$smi" "$@" >"$out/$name" 2>"$out/$name.stderr"
  local rc=$?
  printf '%s\n' "$rc" >"$out/$name.exit"
  note "nvidia-smi $* -> $name (exit $rc)"
  return 0
}

if command -v -- "$smi" >/dev/null 2>&1; then
  capture query-gpu.csv "${query_gpu[@]}"
  capture query-gpu-header.csv "${query_gpu_header[@]}"
  capture list.txt "${list[@]}"
  capture topo.txt "${topology[@]}"
  capture compute-apps.csv "${compute_apps[@]}"
  capture version.txt --version
  capture nvidia-smi.txt
  capture q.xml -q -x
else
  note "COULD NOT: run nvidia-smi ($smi is not on PATH)"
fi

{
  printf '# uname -a\n'
  uname -a
  printf '# /etc/os-release\n'
  cat /etc/os-release 2>&1
  printf '# /dev/nvidia* /dev/kfd /dev/dri\n'
  ls -l /dev/nvidia* /dev/kfd /dev/dri 2>&1
  printf '# CDI spec dirs\n'
  ls -l /etc/cdi /var/run/cdi 2>&1
  printf '# container toolkit\n'
  for tool in nvidia-container-runtime-hook nvidia-container-runtime nvidia-ctk docker node; do
    printf '%s: %s\n' "$tool" "$(command -v -- "$tool" || printf 'absent')"
  done
} >"$out/device-env.txt" 2>&1
note "machine description -> device-env.txt"

if command -v node >/dev/null 2>&1; then
  if [[ -f "$cli" ]]; then
    node "$cli" --compute-apps --allocate 1 >"$out/discover.json" 2>"$out/discover.stderr"
    note "node $cli --compute-apps --allocate 1 -> discover.json (exit $?)"
  else
    note "COULD NOT: run discovery through node ($cli is missing: run 'pnpm --filter @ild/gpu build' first)"
  fi
else
  note "COULD NOT: run discovery through node (node is not installed here)"
fi

if [[ -n "$image" ]]; then
  uuid=""
  if [[ -s "$out/query-gpu.csv" ]]; then
    IFS=', ' read -r _index uuid _rest <"$out/query-gpu.csv" || true
  fi
  if ! command -v docker >/dev/null 2>&1; then
    note "COULD NOT: start a GPU container (docker is not installed here)"
  elif ! docker info >"$out/docker-info.txt" 2>&1; then
    note "COULD NOT: start a GPU container (docker info failed, see docker-info.txt)"
  elif [[ "$uuid" != GPU-* ]]; then
    note "COULD NOT: start a GPU container (no GPU UUID in query-gpu.csv)"
  else
    # the CLI form of DeviceRequests [{ DeviceIDs: [uuid], Capabilities: [["gpu"]] }]
    docker run --rm --label io.ild.test=gpu-device-check --gpus "device=$uuid" "$image" nvidia-smi -L \
      >"$out/docker-run.txt" 2>&1
    rc=$?
    note "docker run --gpus device=$uuid $image nvidia-smi -L -> docker-run.txt (exit $rc)"
    if grep -q -- "$uuid" "$out/docker-run.txt"; then
      note "the container saw the booked GPU $uuid"
    else
      note "the container did NOT list the booked GPU $uuid"
    fi
  fi
else
  note "skipped: GPU container (no DOCKER_IMAGE argument)"
fi
