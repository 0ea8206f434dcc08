import { isAbsolute, join } from "node:path";
import { InvalidPoolOptionsError } from "../errors.js";
import type { DindPoolOptions } from "../pool-types.js";
import { innerSocketName } from "./dind-container-spec.js";

/** Longest unix socket path Linux accepts (sun_path is 108 bytes with the terminating NUL). */
const maxSocketPath = 107;

export function validatePoolOptions(options: DindPoolOptions): void {
  if (!/^[a-z0-9][a-z0-9_.-]{0,39}$/.test(options.poolId)) {
    throw new InvalidPoolOptionsError("poolId", "use 1-40 characters of a-z, 0-9, '_', '.', '-' (lowercase)");
  }
  if (!Number.isInteger(options.size) || options.size < 0) {
    throw new InvalidPoolOptionsError("size", `must be an integer >= 0, got ${options.size}`);
  }
  if (typeof options.image !== "string" || options.image.trim() === "") {
    throw new InvalidPoolOptionsError("image", "must name the DIND image");
  }
  if (!isAbsolute(options.socketRoot)) {
    throw new InvalidPoolOptionsError("socketRoot", `must be an absolute path, got ${options.socketRoot}`);
  }
  const longest = join(options.socketRoot, options.poolId, "00000000", innerSocketName);
  if (Buffer.byteLength(longest) > maxSocketPath) {
    throw new InvalidPoolOptionsError(
      "socketRoot",
      `socket paths would be ${Buffer.byteLength(longest)} bytes (${longest}); the limit is ${maxSocketPath}`,
    );
  }
  if (options.storeRoot !== undefined && !isAbsolute(options.storeRoot)) {
    throw new InvalidPoolOptionsError("storeRoot", `must be an absolute path, got ${options.storeRoot}`);
  }
  if (
    options.imageCacheMaxBytes !== undefined &&
    (!Number.isSafeInteger(options.imageCacheMaxBytes) || options.imageCacheMaxBytes < 0)
  ) {
    throw new InvalidPoolOptionsError("imageCacheMaxBytes", "must be a number of bytes >= 0");
  }
  if (
    options.maxConcurrentBuilds !== undefined &&
    (!Number.isInteger(options.maxConcurrentBuilds) || options.maxConcurrentBuilds < 1)
  ) {
    throw new InvalidPoolOptionsError("maxConcurrentBuilds", "must be an integer >= 1");
  }
  for (const key of ["readyTimeoutMs", "acquireTimeoutMs"] as const) {
    const value = options[key];
    if (value !== undefined && (!Number.isFinite(value) || value <= 0)) {
      throw new InvalidPoolOptionsError(key, "must be a positive number of milliseconds");
    }
  }
  (options.sharedPaths ?? []).forEach((shared, index) => {
    if (!isAbsolute(shared.path) || shared.path.includes(":")) {
      throw new InvalidPoolOptionsError(
        `sharedPaths[${index}].path`,
        `must be an absolute path without ':', got ${shared.path}`,
      );
    }
  });
  (options.podPaths ?? []).forEach((podPath, index) => {
    if (typeof podPath !== "string" || !isAbsolute(podPath) || podPath.includes(":")) {
      throw new InvalidPoolOptionsError(
        `podPaths[${index}]`,
        `must be an absolute path without ':', got ${String(podPath)}`,
      );
    }
  });
  (options.preloadImages ?? []).forEach((image, index) => {
    if (typeof image !== "string" || image.trim() === "") {
      throw new InvalidPoolOptionsError(`preloadImages[${index}]`, "must be an image reference");
    }
  });
  if (
    options.securityMode !== undefined &&
    !["auto", "hardened", "privileged", "capabilities"].includes(options.securityMode)
  ) {
    throw new InvalidPoolOptionsError("securityMode", "must be auto, hardened, privileged or capabilities");
  }
  if (options.runtime !== undefined && !/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/.test(options.runtime)) {
    throw new InvalidPoolOptionsError(
      "runtime",
      "must be a runtime name the engine knows (e.g. sysbox-runc)",
    );
  }
}
