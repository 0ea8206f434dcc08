import { IldError } from "@ild/common";

/** An image could not be made available; `reason` is Kubernetes' waiting reason. */
export class ImagePullError extends IldError {
  constructor(
    readonly image: string,
    readonly reason: "ErrImagePull" | "ErrImageNeverPull",
    message: string,
    options?: { cause?: unknown },
  ) {
    super("ILD_RUNNER_IMAGE_PULL", message, { ...options, details: { image, reason } });
  }
}
