import type { Container } from "kubernetes-types/core/v1.js";
import type { IssueCollector } from "./issues.js";
import type { AssignedDevice, ResourcePlan } from "./plan-types.js";
import {
  isWholeQuantity,
  parseQuantity,
  type Quantity,
  quantityMilliValue,
  quantityValue,
} from "./quantity.js";

/** Kubernetes' MilliCPUToShares: milliCPU × 1024 / 1000, at least 2. */
export function milliCpuToShares(milliCpu: number): number {
  return Math.max(2, Math.floor((milliCpu * 1024) / 1000));
}

const standardResources = new Set(["cpu", "memory", "ephemeral-storage"]);

/** Resource names whose count must match the devices the caller assigned. */
export function isDeviceResource(name: string): boolean {
  return (
    name === "nvidia.com/gpu" ||
    name.startsWith("nvidia.com/mig-") ||
    name === "amd.com/gpu" ||
    name === "xilinx.com/fpga" ||
    name.startsWith("xilinx.com/")
  );
}

/**
 * limits/requests → CPU quota (fractional CPUs kept), shares, memory limit/reservation, and integer extended
 * resources matched against the devices assigned by the caller (never a Docker `Count`).
 */
export function planResources(
  container: Container,
  path: string,
  assigned: readonly AssignedDevice[] | undefined,
  issues: IssueCollector,
  assignedLater = false,
): ResourcePlan {
  const plan: ResourcePlan = { extended: {}, devices: [...(assigned ?? [])] };
  const limits = container.resources?.limits ?? {};
  const requests = container.resources?.requests ?? {};
  const parse = (value: string | number, fieldPath: string): Quantity | undefined => {
    try {
      const quantity = parseQuantity(value);
      if (quantity.numerator < 0n) {
        issues.error(fieldPath, `"${String(value)}" must not be negative`);
        return undefined;
      }
      return quantity;
    } catch (error) {
      issues.error(fieldPath, (error as Error).message);
      return undefined;
    }
  };
  const limitsPath = `${path}.resources.limits`;
  const requestsPath = `${path}.resources.requests`;
  const cpuLimit = limits.cpu === undefined ? undefined : parse(limits.cpu, `${limitsPath}.cpu`);
  const cpuRequest = requests.cpu === undefined ? undefined : parse(requests.cpu, `${requestsPath}.cpu`);
  const memoryLimit = limits.memory === undefined ? undefined : parse(limits.memory, `${limitsPath}.memory`);
  const memoryRequest =
    requests.memory === undefined ? undefined : parse(requests.memory, `${requestsPath}.memory`);

  if (cpuLimit && cpuLimit.numerator > 0n) {
    plan.nanoCpus = quantityMilliValue(cpuLimit) * 1_000_000;
  }
  // The API server defaults requests to limits.
  const effectiveCpuRequest = cpuRequest ?? cpuLimit;
  if (effectiveCpuRequest) {
    plan.cpuShares = milliCpuToShares(quantityMilliValue(effectiveCpuRequest));
  }
  if (cpuLimit && cpuRequest && quantityMilliValue(cpuRequest) > quantityMilliValue(cpuLimit)) {
    issues.error(`${requestsPath}.cpu`, `request ${cpuRequest.text} exceeds limit ${cpuLimit.text}`);
  }
  if (memoryLimit && memoryLimit.numerator > 0n) {
    plan.memoryLimitBytes = quantityValue(memoryLimit);
  }
  const effectiveMemoryRequest = memoryRequest ?? memoryLimit;
  if (effectiveMemoryRequest && effectiveMemoryRequest.numerator > 0n) {
    plan.memoryReservationBytes = quantityValue(effectiveMemoryRequest);
  }
  if (memoryLimit && memoryRequest && quantityValue(memoryRequest) > quantityValue(memoryLimit)) {
    issues.error(`${requestsPath}.memory`, `request ${memoryRequest.text} exceeds limit ${memoryLimit.text}`);
  }
  for (const name of new Set([...Object.keys(limits), ...Object.keys(requests)])) {
    if (name === "cpu" || name === "memory") {
      continue;
    }
    if (standardResources.has(name) || name.startsWith("hugepages-")) {
      issues.warn(`${path}.resources`, `"${name}" is recorded by Kubernetes but not enforced here`);
      continue;
    }
    const limit =
      limits[name] === undefined ? undefined : parse(limits[name] as string, `${limitsPath}["${name}"]`);
    const request =
      requests[name] === undefined
        ? undefined
        : parse(requests[name] as string, `${requestsPath}["${name}"]`);
    const field = limit ? `${limitsPath}["${name}"]` : `${requestsPath}["${name}"]`;
    const quantity = limit ?? request;
    if (!quantity) {
      continue;
    }
    if (!isWholeQuantity(quantity)) {
      issues.error(field, `extended resource "${name}" must be a whole number, got "${quantity.text}"`);
      continue;
    }
    if (limit && request && quantityValue(limit) !== quantityValue(request)) {
      issues.error(`${requestsPath}["${name}"]`, `extended resource "${name}": request must equal the limit`);
      continue;
    }
    const count = quantityValue(quantity);
    if (count > 0) {
      plan.extended[name] = count;
    }
  }
  for (const [name, count] of Object.entries(plan.extended)) {
    const matching = plan.devices.filter((device) => device.resource === name).length;
    if (matching === count || (matching === 0 && assignedLater && assigned === undefined)) {
      continue;
    }
    if (matching === 0 && !isDeviceResource(name)) {
      issues.warn(
        `${limitsPath}["${name}"]`,
        `extended resource "${name}" recorded; no device was assigned for it`,
      );
      continue;
    }
    issues.error(
      `${limitsPath}["${name}"]`,
      `${count} "${name}" requested but ${matching} device(s) assigned to container "${container.name}"`,
    );
  }
  for (const device of plan.devices) {
    if (plan.extended[device.resource] === undefined) {
      issues.error(
        `${path}.resources`,
        `a "${device.resource}" device was assigned to container "${container.name}", which does not request it`,
      );
    } else if (device.vendor === "nvidia" && !device.id) {
      issues.error(`${path}.resources`, `NVIDIA device for "${device.resource}" has no UUID`);
    } else if (device.vendor !== "nvidia" && (device.paths ?? []).length === 0) {
      issues.error(
        `${path}.resources`,
        `${device.vendor} device for "${device.resource}" has no device paths`,
      );
    }
  }
  return plan;
}
