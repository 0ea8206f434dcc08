import { IldError } from "@ild/common";

/**
 * An image is too big for the place it has to go: a DIND's image storage (its /var/lib/docker) or
 * the host's disk. The message says how big it is, how much room there was, and which setting to
 * change; it is what the pod's container shows as its waiting message (`kubectl describe`).
 */
export class ImageDoesNotFitError extends IldError {
  readonly reference: string;
  readonly imageBytes: number;
  constructor(reference: string, imageBytes: number, message: string, options: { cause?: unknown } = {}) {
    super("ILD_IMAGE_DOES_NOT_FIT", `image ${reference} (${formatBytes(imageBytes)}): ${message}`, {
      cause: options.cause,
      details: { reference, imageBytes },
    });
    this.reference = reference;
    this.imageBytes = imageBytes;
  }
}

/** `533 MB`, `1.2 GB`, `256 MiB`-style sizes for messages (decimal units, as `docker images`). */
export function formatBytes(bytes: number): string {
  if (bytes >= 1e9) {
    return `${(bytes / 1e9).toFixed(1)} GB`;
  }
  if (bytes >= 1e6) {
    return `${Math.round(bytes / 1e6)} MB`;
  }
  return `${Math.max(0, Math.round(bytes / 1e3))} kB`;
}

/** A configured size (`256m`, `8g` are binary units): `256 MiB`, `8 GiB`. */
export function formatBinaryBytes(bytes: number): string {
  if (bytes >= 1024 ** 3) {
    return `${Number((bytes / 1024 ** 3).toFixed(1))} GiB`;
  }
  return `${Math.round(bytes / 1024 ** 2)} MiB`;
}
