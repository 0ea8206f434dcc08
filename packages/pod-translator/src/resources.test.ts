import type { Container, Pod } from "kubernetes-types/core/v1.js";
import { describe, expect, it } from "vitest";
import { PodTranslationError } from "./errors.js";
import type { AssignedDevice, TranslationIssue } from "./plan-types.js";
import { milliCpuToShares } from "./resources.js";
import { translatePod } from "./translate-pod.js";

function podWith(resources: Container["resources"]): Pod {
  return {
    metadata: { name: "res", uid: "r-1" },
    spec: { containers: [{ name: "main", image: "ild/busybox:1", resources }] },
  };
}

function resourcesOf(resources: Container["resources"], devices?: AssignedDevice[]) {
  const input: Parameters<typeof translatePod>[0] = { pod: podWith(resources) };
  if (devices) {
    input.options = { devices: { main: devices } };
  }
  const { plan, warnings } = translatePod(input);
  return { resources: plan.containers[0]?.resources, warnings };
}

function issuesOf(resources: Container["resources"], devices?: AssignedDevice[]): TranslationIssue[] {
  try {
    resourcesOf(resources, devices);
  } catch (error) {
    if (error instanceof PodTranslationError) {
      return error.issues;
    }
    throw error;
  }
  throw new Error("expected a PodTranslationError");
}

const gpu = (id: string, resource = "nvidia.com/gpu"): AssignedDevice => ({ resource, vendor: "nvidia", id });

describe("CPU and memory", () => {
  it.each([
    [0, 2],
    [1, 2],
    [2, 2],
    [3, 3],
    [100, 102],
    [250, 256],
    [500, 512],
    [1000, 1024],
    [1500, 1536],
    [4000, 4096],
  ])("milliCpuToShares(%d) = %d (Kubernetes' formula, minimum 2)", (milli, shares) => {
    expect(milliCpuToShares(milli)).toBe(shares);
  });

  it.each([
    [{ limits: { cpu: "500m" } }, { nanoCpus: 500_000_000, cpuShares: 512 }],
    [{ limits: { cpu: "1.5" } }, { nanoCpus: 1_500_000_000, cpuShares: 1536 }],
    [
      { limits: { cpu: "0.1" }, requests: { cpu: "50m" } },
      { nanoCpus: 100_000_000, cpuShares: 51 },
    ],
    [{ requests: { cpu: "250m" } }, { cpuShares: 256 }],
    [{ limits: { cpu: 2 } }, { nanoCpus: 2_000_000_000, cpuShares: 2048 }],
    [{ limits: { memory: "128Mi" } }, { memoryLimitBytes: 134217728, memoryReservationBytes: 134217728 }],
    [
      { limits: { memory: "1Gi" }, requests: { memory: "512M" } },
      { memoryLimitBytes: 1073741824, memoryReservationBytes: 512000000 },
    ],
    [{ requests: { memory: "1e9" } }, { memoryReservationBytes: 1e9 }],
    [{}, {}],
  ])("%j → %j", (resources, expected) => {
    expect(resourcesOf(resources as Container["resources"]).resources).toEqual({
      extended: {},
      devices: [],
      ...expected,
    });
  });

  it("refuses requests above limits and malformed or negative quantities, all at once", () => {
    expect(
      issuesOf({
        limits: { cpu: "1", memory: "1Gi", "example.com/x": "-1" },
        requests: { cpu: "2", memory: "2Gi" },
      }).map((issue) => issue.path),
    ).toEqual([
      "spec.containers[0].resources.requests.cpu",
      "spec.containers[0].resources.requests.memory",
      'spec.containers[0].resources.limits["example.com/x"]',
    ]);
    expect(issuesOf({ limits: { cpu: "lots" } })).toEqual([
      { path: "spec.containers[0].resources.limits.cpu", message: '"lots" is not a valid quantity' },
    ]);
  });

  it("warns about resources it records but does not enforce", () => {
    expect(resourcesOf({ limits: { "ephemeral-storage": "1Gi", "hugepages-2Mi": "4Mi" } }).warnings).toEqual([
      {
        path: "spec.containers[0].resources",
        message: '"ephemeral-storage" is recorded by Kubernetes but not enforced here',
      },
      {
        path: "spec.containers[0].resources",
        message: '"hugepages-2Mi" is recorded by Kubernetes but not enforced here',
      },
    ]);
  });
});

describe("GPUs and other extended resources", () => {
  it("uses exactly the UUIDs the caller assigned", () => {
    const devices = [gpu("GPU-aaaa"), gpu("GPU-bbbb")];
    expect(resourcesOf({ limits: { "nvidia.com/gpu": "2" } }, devices).resources).toEqual({
      extended: { "nvidia.com/gpu": 2 },
      devices,
    });
  });

  it.each([["2"], [2], ["2000m"]])("accepts the whole number %j", (quantity) => {
    expect(
      resourcesOf({ limits: { "nvidia.com/gpu": quantity as string } }, [gpu("GPU-a"), gpu("GPU-b")])
        .resources?.extended,
    ).toEqual({ "nvidia.com/gpu": 2 });
  });

  it.each([["0.5"], ["1500m"]])("refuses the fraction %s", (quantity) => {
    expect(issuesOf({ limits: { "nvidia.com/gpu": quantity } })).toEqual([
      {
        path: 'spec.containers[0].resources.limits["nvidia.com/gpu"]',
        message: `extended resource "nvidia.com/gpu" must be a whole number, got "${quantity}"`,
      },
    ]);
  });

  it("refuses a request that differs from the limit; requests alone are taken", () => {
    expect(
      issuesOf({ limits: { "nvidia.com/gpu": "2" }, requests: { "nvidia.com/gpu": "1" } })[0]?.message,
    ).toBe('extended resource "nvidia.com/gpu": request must equal the limit');
    expect(resourcesOf({ requests: { "nvidia.com/gpu": "1" } }, [gpu("GPU-a")]).resources?.extended).toEqual({
      "nvidia.com/gpu": 1,
    });
  });

  it("refuses a count that does not match the assignment, and devices nobody asked for", () => {
    expect(issuesOf({ limits: { "nvidia.com/gpu": "2" } }, [gpu("GPU-a")])).toEqual([
      {
        path: 'spec.containers[0].resources.limits["nvidia.com/gpu"]',
        message: '2 "nvidia.com/gpu" requested but 1 device(s) assigned to container "main"',
      },
    ]);
    expect(issuesOf({}, [gpu("GPU-a")])).toEqual([
      {
        path: "spec.containers[0].resources",
        message: 'a "nvidia.com/gpu" device was assigned to container "main", which does not request it',
      },
    ]);
  });

  it("MIG resources take MIG UUIDs; AMD devices need paths", () => {
    const mig = gpu("MIG-feb88891-0321-5fef-9c87-d4af3b54259e", "nvidia.com/mig-1g.10gb");
    expect(resourcesOf({ limits: { "nvidia.com/mig-1g.10gb": "1" } }, [mig]).resources?.devices).toEqual([
      mig,
    ]);
    expect(
      issuesOf({ limits: { "amd.com/gpu": "1" } }, [{ resource: "amd.com/gpu", vendor: "amd" }])[0]?.message,
    ).toBe('amd device for "amd.com/gpu" has no device paths');
  });

  it("records other extended resources with a warning when no device backs them", () => {
    const { resources, warnings } = resourcesOf({ limits: { "example.com/license": "3" } });
    expect(resources?.extended).toEqual({ "example.com/license": 3 });
    expect(warnings[0]?.message).toBe(
      'extended resource "example.com/license" recorded; no device was assigned for it',
    );
  });

  it("refuses devices assigned to a container the pod does not have", () => {
    expect(() => translatePod({ pod: podWith({}), options: { devices: { ghost: [gpu("GPU-a")] } } })).toThrow(
      /devices assigned to "ghost", which is not a container of the pod/,
    );
  });
});
