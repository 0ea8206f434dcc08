#!/usr/bin/env bash
# Builds the ild-sidecar image OFFLINE (no registry):
#   1. ild/node:20  = ild/python:3-slim-offline (the project's Debian base) + this machine's node binary
#   2. ild/sidecar:<version> = ild/node:20 + `pnpm deploy` of @ild/sidecar (dist + production deps)
# Usage: apps/sidecar/docker/build-image.sh [TAG]     (run from anywhere; needs a built workspace)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
app_dir="$(cd "$here/.." && pwd)"
root="$(cd "$app_dir/../.." && pwd)"
version="$(node -p 'require(process.argv[1]).version' "$app_dir/package.json")"
tag="${1:-ild/sidecar:$version}"
base_image="${ILD_NODE_BASE_IMAGE:-ild/node:20}"
debian_image="${ILD_DEBIAN_IMAGE:-ild/python:3-slim-offline}"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

if ! docker image inspect "$base_image" >/dev/null 2>&1; then
  echo "building $base_image from $debian_image + $(command -v node) ($(node --version))"
  mkdir -p "$work/base/lib"
  node_bin="$(readlink -f "$(command -v node)")"
  cp "$node_bin" "$work/base/node"
  # node needs libstdc++ beyond what the Debian base has (same Debian release: same ABI).
  libstdcxx="$(ldd "$node_bin" | awk '$1 == "libstdc++.so.6" { print $3 }')"
  if [ -n "$libstdcxx" ]; then cp "$(readlink -f "$libstdcxx")" "$work/base/lib/libstdc++.so.6"; fi
  cat >"$work/base/Dockerfile" <<DOCKERFILE
FROM $debian_image
COPY lib/ /usr/lib/x86_64-linux-gnu/
COPY node /usr/local/bin/node
RUN ["/usr/local/bin/node", "--version"]
DOCKERFILE
  docker build -q -t "$base_image" "$work/base" >/dev/null
fi

if [ ! -s "$app_dir/dist/main.js" ]; then
  echo "building the workspace (pnpm build)"
  (cd "$root" && pnpm build >/dev/null)
fi

echo "deploying @ild/sidecar with its production dependencies"
(cd "$root" && pnpm --filter @ild/sidecar deploy --legacy --prod --offline "$work/context/app" >/dev/null)
cp "$here/Dockerfile" "$work/context/Dockerfile"

echo "building $tag"
docker build -q --build-arg "BASE_IMAGE=$base_image" -t "$tag" "$work/context" >/dev/null
docker run --rm "$tag" --version
echo "built $tag"
