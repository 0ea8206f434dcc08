import type { Readable } from "node:stream";
import type { LogStruct, Pod, PodStatus, RetrievedPodData } from "@ild/interlink-api";
import { createInterlinkClient, type InterlinkClient, PluginHttpError } from "@ild/interlink-api/client";
import { type RawAnswer, rawRequest } from "./http-request.js";

/**
 * Drives the sidecar with @ild/interlink-api's client, which calls exactly as interLink does
 * (interlink-contract.md §1: POST /create with one object, GET /status and GET /getLogs with JSON bodies,
 * POST /delete with the pod, Content-Type JSON and InterLink-Http-Session on every call). Answers are
 * returned as status + body so tests can assert on non-200 answers too; `raw` sends arbitrary bytes.
 */
export interface InterlinkLike {
  client: InterlinkClient;
  create(data: RetrievedPodData | unknown): Promise<RawAnswer>;
  status(pods: Pod[]): Promise<PodStatus[]>;
  statusRaw(body: unknown): Promise<RawAnswer>;
  ping(): Promise<RawAnswer>;
  logs(request: LogStruct): Promise<RawAnswer>;
  delete(pod: Pod | unknown): Promise<RawAnswer>;
  raw(
    method: string,
    path: string,
    body?: string | Buffer,
    headers?: Record<string, string>,
  ): Promise<RawAnswer>;
}

const live: InterlinkClient[] = [];

/** Closes every client made by interlinkLike (their undici agents). */
export async function closeClients(): Promise<void> {
  await Promise.all(live.splice(0).map((client) => client.close()));
}

export function interlinkLike(target: { port?: number; socketPath?: string; token?: string }): InterlinkLike {
  const client = createInterlinkClient({
    ...(target.socketPath === undefined
      ? { baseUrl: `http://127.0.0.1:${target.port}` }
      : { socketPath: target.socketPath }),
    ...(target.token === undefined ? {} : { token: target.token }),
  });
  live.push(client);
  const address = {
    ...(target.port === undefined ? {} : { port: target.port }),
    ...(target.socketPath === undefined ? {} : { socketPath: target.socketPath }),
  };
  const auth: Record<string, string> =
    target.token === undefined ? {} : { authorization: `Bearer ${target.token}` };
  const answer = async (call: () => Promise<string>): Promise<RawAnswer> => {
    try {
      return { status: 200, headers: {}, body: await call(), chunkTimes: [] };
    } catch (error) {
      if (error instanceof PluginHttpError) {
        return { status: error.status, headers: {}, body: error.body, chunkTimes: [] };
      }
      throw error;
    }
  };
  return {
    client,
    create: (data) => answer(async () => JSON.stringify(await client.create(data as RetrievedPodData))),
    status: (pods) => client.status(pods),
    statusRaw: (body) =>
      rawRequest(address, "GET", "/status", JSON.stringify(body), {
        ...auth,
        "interlink-http-session": "GetStatus#1",
      }),
    ping: () => answer(async () => (await client.ping()).body),
    async logs(request) {
      const started = performance.now();
      const chunkTimes: number[] = [];
      const result = await answer(async () => {
        const stream: Readable = await client.logs(request);
        const chunks: Buffer[] = [];
        for await (const chunk of stream) {
          chunks.push(Buffer.from(chunk as Uint8Array));
          chunkTimes.push(performance.now() - started);
        }
        return Buffer.concat(chunks).toString("utf8");
      });
      return { ...result, chunkTimes };
    },
    delete: (pod) => answer(() => client.delete(pod as Pod)),
    raw: (method, path, body, headers = {}) =>
      rawRequest(address, method, path, body, { "interlink-http-session": "Raw#1", ...auth, ...headers }),
  };
}

export function logRequest(pod: Pod, container: string, opts: Partial<LogStruct["Opts"]> = {}): LogStruct {
  return {
    Namespace: pod.metadata?.namespace ?? "default",
    PodUID: pod.metadata?.uid ?? "",
    PodName: pod.metadata?.name ?? "",
    ContainerName: container,
    Opts: {
      Tail: 0,
      Bytes: 0,
      Timestamps: false,
      Follow: false,
      Previous: false,
      SinceSeconds: 0,
      SinceTime: "0001-01-01T00:00:00Z",
      ...opts,
    },
  };
}
