import { randomUUID } from "node:crypto";
import type { LogStruct, Pod, PodStatus, RetrievedPodData } from "@ild/interlink-api";
import { type RawAnswer, rawRequest } from "./http-request.js";

/**
 * Calls the sidecar exactly as interLink does (interlink-contract.md §1): POST /create with one object,
 * GET /status and GET /getLogs with JSON bodies, POST /delete with the pod; Content-Type JSON and the
 * InterLink-Http-Session header on every call.
 */
export interface InterlinkLike {
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

export function interlinkLike(target: { port?: number; socketPath?: string; token?: string }): InterlinkLike {
  const headers = (session: string): Record<string, string> => ({
    "InterLink-Http-Session": `${session}#${Math.floor(Math.random() * 100000)}`,
    ...(target.token === undefined ? {} : { authorization: `Bearer ${target.token}` }),
  });
  const address = {
    ...(target.port === undefined ? {} : { port: target.port }),
    ...(target.socketPath === undefined ? {} : { socketPath: target.socketPath }),
  };
  const call = (method: string, path: string, body: unknown, session: string) =>
    rawRequest(address, method, path, JSON.stringify(body), headers(session));
  return {
    create: (data) => call("POST", "/create", data, "CreatePod"),
    async status(pods) {
      const answer = await call("GET", "/status", pods, "GetStatus");
      if (answer.status !== 200) {
        throw new Error(`GET /status answered ${answer.status}: ${answer.body}`);
      }
      return JSON.parse(answer.body) as PodStatus[];
    },
    statusRaw: (body) => call("GET", "/status", body, "GetStatus"),
    ping: () =>
      rawRequest(address, "GET", "/status", "[]", {
        ...headers("Request"),
        "InterLink-Http-Session": `Request-${randomUUID()}`,
      }),
    logs: (request) => call("GET", "/getLogs", request, "GetLogs"),
    delete: (pod) => call("POST", "/delete", pod, "DeletePod"),
    raw: (method, path, body, extra = {}) =>
      rawRequest(address, method, path, body, { ...headers("Raw"), ...extra }),
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
