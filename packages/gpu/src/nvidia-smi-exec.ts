import { execFile } from "node:child_process";

/** Why nvidia-smi gave no usable answer. Every one leaves GPU capacity at zero. */
export type NvidiaSmiFailureReason =
  | "disabled"
  | "not-installed"
  | "permission-denied"
  | "no-driver"
  | "no-devices"
  | "driver-library-mismatch"
  | "gpu-lost"
  | "timeout"
  | "aborted"
  | "garbage-output"
  | "command-failed";

export interface NvidiaSmiFailure {
  ok: false;
  reason: NvidiaSmiFailureReason;
  /** One line, safe to log. */
  message: string;
  /** The exit code, when the process ran and exited. */
  exitCode?: number;
  /** What nvidia-smi printed (trimmed, at most 2 KiB): its errors go to stdout. */
  output?: string;
  /**
   * True for states that may clear without a host change (timeout, driver/library mismatch after an
   * upgrade, GPU lost): keep existing bookings, try discovery again later.
   */
  transient: boolean;
}

export interface NvidiaSmiSuccess {
  ok: true;
  stdout: string;
  /** Non-zero when nvidia-smi printed data and warned (exit 14, infoROM corrupted). */
  exitCode: number;
}

export type NvidiaSmiRun = NvidiaSmiSuccess | NvidiaSmiFailure;

export interface RunNvidiaSmiOptions {
  /** Executable: a name looked up on `env.PATH`, or a path. Default `nvidia-smi`. */
  nvidiaSmiPath?: string;
  env?: NodeJS.ProcessEnv;
  /** Aborts the run; whether it counts as a timeout is decided by `deadline`. */
  signal?: AbortSignal;
  /** The deadline signal (timeout): when it fired, the failure is `timeout`, otherwise `aborted`. */
  deadline?: AbortSignal;
  maxBufferBytes?: number;
}

const MAX_OUTPUT = 2048;

function clip(text: string): string {
  const trimmed = text.trim();
  return trimmed.length > MAX_OUTPUT ? `${trimmed.slice(0, MAX_OUTPUT)}…` : trimmed;
}

function failure(
  reason: NvidiaSmiFailureReason,
  message: string,
  extra: { exitCode?: number; output?: string } = {},
): NvidiaSmiFailure {
  const transient = reason === "timeout" || reason === "driver-library-mismatch" || reason === "gpu-lost";
  const result: NvidiaSmiFailure = { ok: false, reason, message, transient };
  if (extra.exitCode !== undefined) {
    result.exitCode = extra.exitCode;
  }
  if (extra.output !== undefined && extra.output !== "") {
    result.output = clip(extra.output);
  }
  return result;
}

/**
 * Classifies a non-zero exit: by exit code first, then by the text nvidia-smi printed (on stdout).
 * Exit codes from the nvidia-smi man page: 2 bad argument, 4 no permission, 6 nothing found,
 * 9 driver not loaded, 12 NVML library missing, 15 GPU fell off the bus, 18 library/driver mismatch,
 * 255 other.
 */
export function classifyNvidiaSmiExit(exitCode: number, stdout: string, stderr = ""): NvidiaSmiFailure {
  const text = `${stdout}\n${stderr}`;
  const firstLine = clip(text).split("\n")[0] ?? "";
  const extra = { exitCode, output: `${stdout}${stderr ? `\n${stderr}` : ""}` };
  const say = (what: string) => `nvidia-smi: ${what} (exit ${exitCode}${firstLine ? `: ${firstLine}` : ""})`;
  if (exitCode === 9 || /couldn't communicate with the NVIDIA driver/i.test(text)) {
    return failure("no-driver", say("the NVIDIA driver is not loaded"), extra);
  }
  if (exitCode === 18 || /Driver\/library version mismatch/i.test(text)) {
    return failure("driver-library-mismatch", say("driver/library version mismatch"), extra);
  }
  if (exitCode === 6 || /No devices were found|No supported GPUs were found/i.test(text)) {
    return failure("no-devices", say("no GPUs found"), extra);
  }
  if (exitCode === 12) {
    return failure("no-driver", say("the NVML library was not found"), extra);
  }
  if (exitCode === 15 || /fallen off the bus|GPU is lost/i.test(text)) {
    return failure("gpu-lost", say("a GPU fell off the bus"), extra);
  }
  if (exitCode === 4 || /Insufficient Permissions/i.test(text)) {
    return failure("permission-denied", say("no permission"), extra);
  }
  return failure("command-failed", say("failed"), extra);
}

/**
 * Runs nvidia-smi with an argument vector (never a shell) and classifies every outcome. Never throws.
 * Resolves as soon as the signal or deadline aborts, even if the child does not die.
 */
export function runNvidiaSmi(
  args: readonly string[],
  options: RunNvidiaSmiOptions = {},
): Promise<NvidiaSmiRun> {
  const file = options.nvidiaSmiPath ?? "nvidia-smi";
  const signals = [options.signal, options.deadline].filter((s): s is AbortSignal => s !== undefined);
  const signal =
    signals.length === 0 ? undefined : signals.length === 1 ? signals[0] : AbortSignal.any(signals);

  const abortedFailure = (): NvidiaSmiFailure =>
    options.deadline?.aborted && !options.signal?.aborted
      ? failure("timeout", `nvidia-smi ${args[0] ?? ""}: timed out`)
      : failure("aborted", `nvidia-smi ${args[0] ?? ""}: aborted`);

  if (signal?.aborted) {
    return Promise.resolve(abortedFailure());
  }
  return new Promise<NvidiaSmiRun>((resolve) => {
    let settled = false;
    const settle = (result: NvidiaSmiRun): void => {
      if (!settled) {
        settled = true;
        signal?.removeEventListener("abort", onAbort);
        resolve(result);
      }
    };
    const onAbort = (): void => settle(abortedFailure());
    signal?.addEventListener("abort", onAbort, { once: true });
    try {
      execFile(
        file,
        [...args],
        {
          env: options.env ?? process.env,
          encoding: "utf8",
          maxBuffer: options.maxBufferBytes ?? 4 * 1024 * 1024,
          killSignal: "SIGKILL",
          windowsHide: true,
          ...(signal ? { signal } : {}),
        },
        (error, stdout, stderr) => {
          if (settled) {
            return;
          }
          if (!error) {
            settle({ ok: true, stdout, exitCode: 0 });
            return;
          }
          const err = error as Error & { code?: string | number; killed?: boolean; signal?: string | null };
          if (signal?.aborted || err.name === "AbortError") {
            settle(abortedFailure());
            return;
          }
          if (err.code === "ENOENT") {
            settle(failure("not-installed", `nvidia-smi not found (${file})`));
            return;
          }
          if (err.code === "EACCES" || err.code === "EPERM") {
            settle(failure("permission-denied", `nvidia-smi could not be executed (${file}): ${err.code}`));
            return;
          }
          if (err.code === "ERR_CHILD_PROCESS_STDIO_MAXBUFFER") {
            settle(
              failure("garbage-output", "nvidia-smi printed more output than expected", { output: stdout }),
            );
            return;
          }
          if (err.code === 14) {
            // infoROM corrupted: nvidia-smi warns and still prints its answer
            settle({ ok: true, stdout, exitCode: 14 });
            return;
          }
          if (typeof err.code === "number") {
            settle(classifyNvidiaSmiExit(err.code, stdout, stderr));
            return;
          }
          if (err.killed || err.signal) {
            settle(
              failure("command-failed", `nvidia-smi was killed by ${String(err.signal)}`, { output: stdout }),
            );
            return;
          }
          settle(failure("command-failed", `nvidia-smi could not be run: ${err.message}`));
        },
      );
    } catch (error) {
      settle(failure("command-failed", `nvidia-smi could not be run: ${String(error)}`));
    }
  });
}

export { failure as nvidiaSmiFailure };
