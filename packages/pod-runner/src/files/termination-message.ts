import { chmodSync, closeSync, mkdirSync, openSync, readSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { ContainerPlan } from "@ild/pod-translator";

// Synchronous on purpose: an empty file and a read of at most 4 KiB on local disk, on the path of every
// container start and exit; keeping them off the thread pool keeps the lifecycle's ordering deterministic.

/** Kubernetes reads at most 4096 bytes of a termination message. */
const MAX_MESSAGE_BYTES = 4096;

/** Host file bind-mounted at the container's terminationMessagePath, one per instance. */
export function terminationFilePath(dataDir: string, container: ContainerPlan, generation: number): string {
  return path.join(dataDir, "termination", `${container.kind}-${container.name}-${generation}`);
}

/** Creates the (empty, world-writable: any container user writes it) termination file. */
export function prepareTerminationFile(file: string): void {
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o755 });
  writeFileSync(file, "", { mode: 0o666 });
  chmodSync(file, 0o666);
}

/** The message the container left, or undefined when it wrote none. */
export function readTerminationMessage(file: string): string | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(file, "r");
    const buffer = Buffer.alloc(MAX_MESSAGE_BYTES);
    const bytesRead = readSync(fd, buffer, 0, MAX_MESSAGE_BYTES, 0);
    const text = buffer.subarray(0, bytesRead).toString("utf8");
    return text === "" ? undefined : text;
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) {
      closeSync(fd);
    }
  }
}
