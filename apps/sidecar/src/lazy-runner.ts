import type { Runner, StatusResult } from "@ild/pod-runner";

/**
 * A Runner that forwards to the real one once it exists. The sidecar listens before the packages are
 * loaded and the engine is checked (serving within a second); until then the ping and /healthz answer,
 * and pod routes wait for `ready` (which resolves after the runner recovered the pods of a previous run).
 */
export function createLazyRunner(current: () => Runner | undefined, ready: Promise<void>): Runner {
  const real = async (): Promise<Runner> => {
    await ready;
    const runner = current();
    if (runner === undefined) {
      throw new Error("the sidecar is not started");
    }
    return runner;
  };
  return {
    start: async (input, options) => (await real()).start(input, options),
    waitForCompletion: async (handle, options) => (await real()).waitForCompletion(handle, options),
    stop: async (handle, options) => (await real()).stop(handle, options),
    logs: async (podUid, container, options) => (await real()).logs(podUid, container, options),
    recover: async (options) => (await real()).recover(options),
    status(podUid, fallback): StatusResult {
      const runner = current();
      if (runner !== undefined) {
        return runner.status(podUid, fallback);
      }
      return {
        found: false,
        phase: "Pending",
        status: {
          name: fallback?.name ?? "",
          UID: podUid,
          namespace: fallback?.namespace ?? "",
          containers: [],
          initContainers: [],
        },
      };
    },
    list: () => current()?.list() ?? [],
    close: async () => {
      await current()?.close();
    },
  };
}
