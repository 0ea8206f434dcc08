import type { Device } from "./device-types.js";
import { linkScore, type NvidiaTopology } from "./nvidia-smi-topology.js";

/** Above this many candidate sets, a greedy search replaces the exhaustive one. */
const EXHAUSTIVE_LIMIT = 5000;

/** By index; equal indices (MIG instances of one GPU) keep the inventory order (stable sort). */
function byIndex(a: Device, b: Device): number {
  return (a.index ?? Number.MAX_SAFE_INTEGER) - (b.index ?? Number.MAX_SAFE_INTEGER);
}

function binomial(n: number, k: number): number {
  let result = 1;
  for (let i = 1; i <= k; i++) {
    result = (result * (n - k + i)) / i;
    if (result > EXHAUSTIVE_LIMIT) {
      return result;
    }
  }
  return result;
}

function pairScore(a: Device, b: Device, topology: NvidiaTopology | undefined): number {
  if (topology === undefined || a.index === undefined || b.index === undefined || a.index === b.index) {
    return 0;
  }
  return linkScore(topology.gpus.find((gpu) => gpu.index === a.index)?.links[`GPU${b.index}`]);
}

function setScore(set: Device[], topology: NvidiaTopology | undefined): number {
  let score = 0;
  for (let i = 0; i < set.length; i++) {
    for (let j = i + 1; j < set.length; j++) {
      score += pairScore(set[i] as Device, set[j] as Device, topology);
    }
  }
  return score;
}

function bestSubset(candidates: Device[], count: number, topology: NvidiaTopology | undefined): Device[] {
  if (count >= candidates.length) {
    return candidates.slice(0, count);
  }
  if (topology === undefined || count === 1) {
    return candidates.slice(0, count);
  }
  if (binomial(candidates.length, count) <= EXHAUSTIVE_LIMIT) {
    // lexicographic enumeration: the first set with the highest score wins (lowest indices on ties)
    let best: Device[] = candidates.slice(0, count);
    let bestScore = setScore(best, topology);
    const pick: number[] = [];
    const walk = (start: number): void => {
      if (pick.length === count) {
        const set = pick.map((i) => candidates[i] as Device);
        const score = setScore(set, topology);
        if (score > bestScore) {
          best = set;
          bestScore = score;
        }
        return;
      }
      for (let i = start; i <= candidates.length - (count - pick.length); i++) {
        pick.push(i);
        walk(i + 1);
        pick.pop();
      }
    };
    walk(0);
    return best;
  }
  // greedy from each start: add the candidate that adds the most score (lowest index on ties)
  let best: Device[] = candidates.slice(0, count);
  let bestScore = setScore(best, topology);
  for (const start of candidates) {
    const set = [start];
    while (set.length < count) {
      let next: Device | undefined;
      let nextGain = -1;
      for (const candidate of candidates) {
        if (set.includes(candidate)) {
          continue;
        }
        const gain = set.reduce((sum, member) => sum + pairScore(member, candidate, topology), 0);
        if (gain > nextGain) {
          next = candidate;
          nextGain = gain;
        }
      }
      set.push(next as Device);
    }
    const score = setScore(set, topology);
    if (score > bestScore) {
      best = set.sort(byIndex);
      bestScore = score;
    }
  }
  return best;
}

/**
 * Picks `count` devices among free `candidates`, or undefined when there are too few. Preference:
 * 1. all within one NUMA node, choosing the node with the fewest free devices that still fits (best fit,
 *    keeping larger groups whole); 2. the highest summed pair score from `topo -m` (NVLink > PCIe switch >
 *    host bridge > NUMA-local > cross-socket); 3. the lowest indices. Deterministic.
 */
export function chooseDevices(
  candidates: readonly Device[],
  count: number,
  topology?: NvidiaTopology,
): Device[] | undefined {
  if (count <= 0) {
    return [];
  }
  if (candidates.length < count) {
    return undefined;
  }
  const sorted = [...candidates].sort(byIndex);
  const groups = new Map<number, Device[]>();
  for (const device of sorted) {
    if (device.numaNode !== undefined) {
      const group = groups.get(device.numaNode) ?? [];
      group.push(device);
      groups.set(device.numaNode, group);
    }
  }
  const everyDeviceHasNuma = groups.size > 0 && sorted.every((device) => device.numaNode !== undefined);
  if (everyDeviceHasNuma && groups.size > 1) {
    const fitting = [...groups.entries()]
      .filter(([, group]) => group.length >= count)
      .sort(([numaA, a], [numaB, b]) => a.length - b.length || numaA - numaB);
    const group = fitting[0]?.[1];
    if (group !== undefined) {
      return bestSubset(group, count, topology).sort(byIndex);
    }
  }
  return bestSubset(sorted, count, topology).sort(byIndex);
}
