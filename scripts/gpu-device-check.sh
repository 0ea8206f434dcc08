#!/usr/bin/env bash
# GPU device check: run on a machine with an NVIDIA GPU, from a checkout where `./ild setup` has run
# (dependencies, build, Docker engine, the ild/dind:1 and ild/python:3-slim-offline images).
#
#   scripts/gpu-device-check.sh [OUT_DIR]        (default .ild/gpu-device-check-<UTC time>)
#
# Steps, one `PASS|FAIL|SKIP <step>: <detail>` line each (under 5 minutes):
#   host         nvidia-smi -L, the device nodes, CDI spec folders (captured by packages/gpu/scripts)
#   discovery    @ild/gpu discovery: bookable GPUs / MIG instances
#   edits        container edits from the CDI spec, else discovery (device nodes, driver files, env)
#   booking      the device book's capacity
#   pod in DIND  a pod with nvidia.com/gpu: 1 in its own DIND (no NVIDIA runtime in it) runs
#                `nvidia-smi -L` and `nvidia-smi --query-gpu=uuid` (NVML, no CUDA): the booked UUID only;
#                its second container, which booked nothing, sees no nvidia node and no nvidia-smi
#   two pods     a second pod gets another GPU, or is refused while the only one is booked
#   mig          with MIG mode on: a pod asking for nvidia.com/mig-<profile> sees exactly its MIG device
# Everything goes to OUT_DIR (results.txt, one log per pod container, discovery.json, edits.json,
# capture/). Exit status 1 when a step FAILs. Arguments only: nothing is eval'ed.
set -u -o pipefail
ROOT=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)
out=${1:-$ROOT/.ild/gpu-device-check-$(date -u +%Y%m%dT%H%M%SZ)}
mkdir -p -- "$out"
log=$out/check.log
say() { printf '%s\n' "$*" | tee -a "$log"; }
failed=0

say "# ild GPU device check $(date -u +%Y-%m-%dT%H:%M:%SZ) on $(uname -n), output in $out"
if command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi -L >"$out/host-L.txt" 2>&1; then
  say "PASS host: $(grep -c '^GPU ' "$out/host-L.txt") GPU(s): $(head -n 1 "$out/host-L.txt")"
else
  say "FAIL host: nvidia-smi -L failed: $(head -n 3 "$out/host-L.txt" 2>/dev/null)"
  failed=1
fi
timeout 60 bash "$ROOT/packages/gpu/scripts/gpu-device-check.sh" "$out/capture" >"$out/capture.log" 2>&1
say "INFO host capture: $(wc -l <"$out/capture/summary.txt" 2>/dev/null || echo 0) lines in capture/summary.txt"

for image in ild/dind:1 ild/python:3-slim-offline; do
  if ! docker image inspect "$image" >/dev/null 2>&1; then
    say "FAIL setup: image $image is missing (run ./ild setup)"
    failed=1
  fi
done
if [[ ! -f "$ROOT/packages/pod-runner/dist/index.js" || ! -f "$ROOT/packages/gpu/dist/index.js" ]]; then
  say "FAIL setup: packages are not built (run ./ild setup)"
  failed=1
fi

if [[ $failed -eq 0 ]]; then
  timeout 280 node "$ROOT/packages/pod-runner/scripts/gpu-device-check.mjs" "$out" 2>"$out/check.stderr" | tee -a "$log"
  rc=${PIPESTATUS[0]}
  if [[ $rc -eq 124 ]]; then
    say "FAIL run: the in-DIND checks ran past 280 s"
  fi
  [[ $rc -eq 0 ]] || failed=1
fi
say "# $( [[ $failed -eq 0 ]] && echo ALL PASSED || echo SOME FAILED ); results in $out"
exit "$failed"
