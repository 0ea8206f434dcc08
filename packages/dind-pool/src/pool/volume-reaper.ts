/**
 * Removes DIND data volumes in the background: freeing gigabytes of image layers takes seconds on a
 * disk, and a pod's delete must not wait for it. Every volume is labelled with its DIND, so one left
 * behind by a crash is removed by `reconcile()` (its DIND is gone). `settled()` waits for all.
 */
import type { Logger } from "@ild/common";
import type { DockerClient } from "../docker/docker-client.js";

export class VolumeReaper {
  private readonly pending = new Set<Promise<void>>();

  constructor(
    private readonly host: DockerClient,
    private readonly logger: Logger,
  ) {}

  remove(name: string | undefined): void {
    if (name === undefined) {
      return;
    }
    const removal: Promise<void> = this.host
      .removeVolume(name)
      .catch((error: unknown) => {
        this.logger.warn(
          { err: error, volume: name },
          `could not remove the DIND data volume ${name} (the next reconcile does)`,
        );
      })
      .finally(() => {
        this.pending.delete(removal);
      });
    this.pending.add(removal);
  }

  async settled(): Promise<void> {
    await Promise.allSettled([...this.pending]);
  }
}
