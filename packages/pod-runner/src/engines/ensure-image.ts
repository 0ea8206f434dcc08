import type { DockerClient } from "@ild/dind-pool";
import { ImagePullError } from "./image-pull-error.js";
import { credentialsFor } from "./registry-auth.js";
import type { EnsureImageRequest } from "./sandbox-engine.js";

/**
 * Pull policy as the kubelet applies it. `deliver` (dind) copies an image the host engine has instead of
 * pulling it; it answers false when it cannot.
 */
export async function ensureImageIn(
  docker: DockerClient,
  request: EnsureImageRequest,
  deliver?: (image: string) => Promise<boolean>,
): Promise<void> {
  const { image, pullPolicy, signal } = request;
  const present = await docker.inspectImage(image, { signal });
  if (present !== undefined && pullPolicy !== "Always") {
    return;
  }
  if (pullPolicy === "Never") {
    throw new ImagePullError(
      image,
      "ErrImageNeverPull",
      `Container image "${image}" is not present with pull policy of Never`,
    );
  }
  if (pullPolicy !== "Always" && deliver !== undefined && (await deliver(image))) {
    return;
  }
  const auth = credentialsFor(image, request.auths);
  try {
    await docker.pullImage(image, { ...(auth ? { auth } : {}), ...(signal ? { signal } : {}) });
  } catch (error) {
    if (signal?.aborted) {
      throw error;
    }
    const message = error instanceof Error ? error.message : String(error);
    throw new ImagePullError(image, "ErrImagePull", `failed to pull image "${image}": ${message}`, {
      cause: error,
    });
  }
}
