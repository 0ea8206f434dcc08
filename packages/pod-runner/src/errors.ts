import { IldError } from "@ild/common";

/** The pod is not known to this runner. */
export class PodNotFoundError extends IldError {
  constructor(readonly podUid: string) {
    super("ILD_RUNNER_POD_NOT_FOUND", `pod ${podUid} not known to this runner`, { details: { podUid } });
  }
}

/** The pod cannot be run as given; `path` names the field. */
export class InvalidPodError extends IldError {
  constructor(
    readonly path: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super("ILD_RUNNER_INVALID_POD", `${path}: ${message}`, { ...options, details: { path } });
  }
}

/** A pre-create/pre-run/post-run hook failed; the pod is not started or is failed with this message. */
export class HookFailedError extends IldError {
  constructor(
    readonly hook: string,
    readonly phase: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super("ILD_RUNNER_HOOK_FAILED", `hook ${hook} (${phase}) failed: ${message}`, {
      ...options,
      details: { hook, phase },
    });
  }
}

/** The engine asked for cannot be used (no pool for dind, engine not allowed by policy). */
export class EngineUnavailableError extends IldError {
  constructor(
    readonly engine: string,
    message: string,
  ) {
    super("ILD_RUNNER_ENGINE_UNAVAILABLE", `engine ${engine}: ${message}`, { details: { engine } });
  }
}

/** No container (or no previous instance of it) to read logs from. */
export class ContainerNotFoundError extends IldError {
  constructor(
    readonly podUid: string,
    readonly container: string,
    message: string,
  ) {
    super("ILD_RUNNER_CONTAINER_NOT_FOUND", message, { details: { podUid, container } });
  }
}

/** A file path of the pod would leave its directory. */
export class UnsafePathError extends IldError {
  constructor(readonly path: string) {
    super("ILD_RUNNER_UNSAFE_PATH", `unsafe pod file path ${JSON.stringify(path)}`, { details: { path } });
  }
}

/** waitForCompletion ran past its timeout. */
export class WaitTimeoutError extends IldError {
  constructor(
    readonly podUid: string,
    readonly timeoutMs: number,
  ) {
    super("ILD_RUNNER_TIMEOUT", `pod ${podUid} did not complete within ${timeoutMs} ms`, {
      details: { podUid, timeoutMs },
    });
  }
}

/**
 * A volume mount's path cannot be used safely: a subPath (or hostPath) component is a symlink, leaves
 * the volume, is not a folder/file, or a hostPath resolves outside the allow-list. The container is not
 * created (CreateContainerConfigError, like the kubelet).
 */
export class UnsafeMountError extends IldError {
  constructor(
    readonly field: string,
    readonly reason: string,
  ) {
    super("ILD_RUNNER_UNSAFE_MOUNT", `${field}: ${reason}`, { details: { field } });
  }
}

/** A pod's stored state (pod.json) exists but cannot be read: never taken for "no pod". */
export class PodStateError extends IldError {
  constructor(
    readonly file: string,
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super("ILD_RUNNER_POD_STATE_UNREADABLE", `cannot read the pod state ${file}: ${reason}`, {
      ...options,
      details: { file },
    });
  }
}
