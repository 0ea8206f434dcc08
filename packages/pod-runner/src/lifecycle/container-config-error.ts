import { IldError } from "@ild/common";

/** The kubelet's CreateContainerConfigError: the container's settings cannot be applied (retried with back-off). */
export class ContainerConfigError extends IldError {
  constructor(
    readonly container: string,
    message: string,
  ) {
    super("ILD_RUNNER_CONTAINER_CONFIG", message, { details: { container } });
  }
}
