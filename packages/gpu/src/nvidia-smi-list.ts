/** Parser for `nvidia-smi -L` (docs/gpu.md §1.5): GPU lines and the MIG lines under each one. */

export interface NvidiaMigDeviceInfo {
  /** `1g.10gb`, `3g.40gb`, `1c.3g.20gb`, `1g.10gb+me` … */
  profile: string;
  /** The `Device N` number on its parent GPU. */
  deviceIndex: number;
  /** `MIG-<uuid>` (new drivers) or `MIG-GPU-<uuid>/<gi>/<ci>` (R450/R460). */
  uuid: string;
  parentUuid: string;
  parentIndex: number;
}

export interface NvidiaListedGpu {
  index: number;
  name: string;
  uuid: string;
  migDevices: NvidiaMigDeviceInfo[];
}

export interface NvidiaListResult {
  gpus: NvidiaListedGpu[];
  /** Non-empty lines that matched neither form. */
  rejected: Array<{ line: number; text: string }>;
}

const GPU_LINE = /^GPU (\d+): (.+) \(UUID: (GPU-[0-9a-fA-F-]+)\)$/;
const MIG_LINE = /^\s+MIG (\S+)\s+Device\s+(\d+): \(UUID: (MIG-[^)]+)\)$/;

export function parseNvidiaSmiList(text: string): NvidiaListResult {
  const gpus: NvidiaListedGpu[] = [];
  const rejected: NvidiaListResult["rejected"] = [];
  text
    .replace(/\r\n/g, "\n")
    .split("\n")
    .forEach((raw, i) => {
      const lineText = raw.replace(/\s+$/, "");
      if (lineText === "") {
        return;
      }
      const gpu = GPU_LINE.exec(lineText);
      if (gpu) {
        gpus.push({
          index: Number(gpu[1]),
          name: gpu[2] ?? "",
          uuid: gpu[3] ?? "",
          migDevices: [],
        });
        return;
      }
      const mig = MIG_LINE.exec(lineText);
      const parent = gpus.at(-1);
      if (mig && parent) {
        parent.migDevices.push({
          profile: mig[1] ?? "",
          deviceIndex: Number(mig[2]),
          uuid: mig[3] ?? "",
          parentUuid: parent.uuid,
          parentIndex: parent.index,
        });
        return;
      }
      rejected.push({ line: i + 1, text: lineText });
    });
  return { gpus, rejected };
}
