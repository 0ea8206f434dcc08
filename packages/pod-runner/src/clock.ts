import { sleep } from "@ild/common";
import type { Clock } from "./runner-types.js";

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) => sleep(ms, signal),
};
