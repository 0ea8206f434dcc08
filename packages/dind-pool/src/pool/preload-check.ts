/**
 * Preloaded images are checked in every DIND once its engine answers: the inner engine must know
 * each one. Whatever the seed store did not bring (no seed: it was refused or failed at start; or a
 * seed this engine could not read: another storage driver, a damaged seed) is streamed from the host
 * engine (image-delivery.ts) before the DIND counts as warm. One log line per DIND says which path
 * served them. A DIND never goes into the pool with some preloaded images silently missing: if the
 * stream fails too, the build fails (and the pool retries it, with back-off).
 */
import type { Logger } from "@ild/common";
import { type DeliveryTarget, deliverImages } from "./image-delivery.js";

export interface PreloadReport {
  /** Images the DIND had at boot (from the seed store). */
  seeded: string[];
  /** Images streamed from the host engine (through the image cache). */
  streamed: string[];
  ms: number;
}

export async function ensurePreloaded(options: {
  target: DeliveryTarget;
  dindName: string;
  /** Preload images present on the host engine. */
  references: string[];
  seedDir: string | undefined;
  /** Why there is no seed (when `seedDir` is undefined and a seed was wanted). */
  seedProblem?: string;
  logger: Logger;
  signal?: AbortSignal;
}): Promise<PreloadReport> {
  const started = Date.now();
  const { target, signal } = options;
  const seeded: string[] = [];
  const missing: string[] = [];
  for (const reference of options.references) {
    const found = await target.inner.inspectImage(reference, signal === undefined ? {} : { signal });
    (found === undefined ? missing : seeded).push(reference);
  }
  if (missing.length === 0) {
    const ms = Date.now() - started;
    if (seeded.length > 0) {
      options.logger.info(
        { dind: options.dindName, path: "seed", images: seeded, ms },
        `DIND ${options.dindName}: preloaded image(s) ${seeded.join(", ")} served by the seed store`,
      );
    }
    return { seeded, streamed: [], ms };
  }
  const why =
    options.seedDir === undefined
      ? `no seed store${options.seedProblem === undefined ? "" : `: ${options.seedProblem}`}`
      : `not in the DIND's engine after boot although seeded from ${options.seedDir}`;
  const paths = await deliverImages({
    ...target,
    references: missing,
    ...(signal === undefined ? {} : { signal }),
  });
  const ms = Date.now() - started;
  const sources = [...new Set(paths.values())].map((path) => (path === "host" ? "docker save" : path));
  options.logger.warn(
    { dind: options.dindName, path: "stream", streamed: missing, seeded, reason: why, via: sources, ms },
    `DIND ${options.dindName}: preloaded image(s) ${missing.join(", ")} streamed from the host engine (${why}; via ${sources.join(" + ")}) in ${ms} ms${seeded.length > 0 ? `; ${seeded.join(", ")} served by the seed store` : ""}`,
  );
  return { seeded, streamed: missing, ms };
}
