import { Readable } from "node:stream";
import { IldError } from "@ild/common";
import type { PodStatus, RetrievedPodData } from "@ild/interlink-api";
import type {
  LogRequestOptions,
  PodHandle,
  PodPhase,
  PodSummary,
  Runner,
  StatusResult,
} from "@ild/pod-runner";

/** A Runner test double for the HTTP layer only: records calls, answers from memory. */
export interface FakeRunner extends Runner {
  calls: {
    start: string[];
    stop: string[];
    logs: Array<{ uid: string; container: string; options: LogRequestOptions }>;
  };
  /** When set, start waits for it (to test in-flight creates). */
  gate?: Promise<void>;
  failStartWith?: Error;
  logChunks: string[];
  /** Delay between followed chunks (ms). */
  followDelayMs: number;
}

export function createFakeRunner(): FakeRunner {
  const pods = new Map<string, { name: string; namespace: string; phase: PodPhase; containers: string[] }>();
  const runner: FakeRunner = {
    calls: { start: [], stop: [], logs: [] },
    logChunks: ["hello\n"],
    followDelayMs: 20,
    async start(input: RetrievedPodData, options) {
      const uid = input.pod.metadata?.uid ?? "";
      runner.calls.start.push(uid);
      if (runner.gate !== undefined) {
        await runner.gate;
      }
      options?.signal?.throwIfAborted();
      if (runner.failStartWith !== undefined) {
        throw runner.failStartWith;
      }
      pods.set(uid, {
        name: input.pod.metadata?.name ?? "",
        namespace: input.pod.metadata?.namespace ?? "",
        phase: "Running",
        containers: (input.pod.spec?.containers ?? []).map((container) => container.name),
      });
      const handle: PodHandle = { podUid: uid, jobId: `job-${uid}`, engine: "host" };
      return handle;
    },
    async waitForCompletion() {
      throw new Error("not used");
    },
    async stop(handle) {
      const uid = typeof handle === "string" ? handle : handle.podUid;
      runner.calls.stop.push(uid);
      pods.delete(uid);
    },
    status(podUid, fallback): StatusResult {
      const pod = pods.get(podUid);
      if (pod === undefined) {
        const status: PodStatus = {
          name: fallback?.name ?? "",
          UID: podUid,
          namespace: fallback?.namespace ?? "",
          containers: [],
          initContainers: [],
        };
        return { found: false, phase: "Pending", status };
      }
      return {
        found: true,
        phase: pod.phase,
        status: {
          name: pod.name,
          UID: podUid,
          namespace: pod.namespace,
          JID: `job-${podUid}`,
          containers: pod.containers.map((name) => ({
            name,
            state: { running: { startedAt: "2026-01-01T00:00:00Z" } },
            ready: true,
            restartCount: 0,
            image: "",
            imageID: "",
          })),
          initContainers: [],
        },
      };
    },
    async logs(podUid, container, options = {}) {
      runner.calls.logs.push({ uid: podUid, container, options });
      if (!pods.has(podUid)) {
        throw new IldError("ILD_POD_NOT_FOUND", `no pod ${podUid}`);
      }
      const chunks = [...runner.logChunks];
      if (!options.follow) {
        return Readable.from(chunks.map((chunk) => Buffer.from(chunk)));
      }
      const delay = runner.followDelayMs;
      return Readable.from(
        (async function* () {
          for (const chunk of chunks) {
            await new Promise((resolve) => setTimeout(resolve, delay));
            yield Buffer.from(chunk);
          }
        })(),
      );
    },
    list(): PodSummary[] {
      return [...pods.entries()].map(([podUid, pod]) => ({
        podUid,
        name: pod.name,
        namespace: pod.namespace,
        phase: pod.phase,
        engine: "host",
      }));
    },
    async recover() {},
    async close() {},
  };
  return runner;
}
