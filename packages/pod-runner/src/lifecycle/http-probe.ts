import http from "node:http";
import https from "node:https";
import type { HandlerPlan } from "@ild/pod-translator";
import type { HandlerResult } from "./run-handler.js";

type HttpGetPlan = Extract<HandlerPlan, { kind: "httpGet" }>;

/** Go's http.Client stops after 10 redirects; the kubelet's probe client keeps that. */
export const MAX_PROBE_REDIRECTS = 10;

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/** `10.0.0.5` or `[fd00::5]` → the bare address (URL.hostname keeps IPv6 brackets). */
function bareHost(hostname: string): string {
  return hostname.startsWith("[") && hostname.endsWith("]") ? hostname.slice(1, -1) : hostname;
}

function probeUrl(handler: HttpGetPlan, podIp: string): URL {
  const scheme = handler.scheme === "HTTPS" ? "https" : "http";
  const host = podIp.includes(":") ? `[${podIp}]` : podIp;
  const path = handler.path === "" ? "/" : handler.path.startsWith("/") ? handler.path : `/${handler.path}`;
  return new URL(`${scheme}://${host}:${handler.port}${path}`);
}

interface Answer {
  status: number;
  location?: string;
}

function getOnce(
  url: URL,
  headers: Record<string, string>,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const client = url.protocol === "https:" ? https : http;
    const request = client.request(
      url,
      {
        method: "GET",
        headers,
        timeout: timeoutMs,
        signal,
        // one connection per probe, closed after it: nothing pooled outlives the probe
        agent: false,
        ...(url.protocol === "https:" ? { rejectUnauthorized: false } : {}),
      },
      (response) => {
        const location = response.headers.location;
        // the status decides; the body is never read (nothing from the pod is buffered here)
        response.destroy();
        resolve({ status: response.statusCode ?? 0, ...(location === undefined ? {} : { location }) });
      },
    );
    request.on("timeout", () => request.destroy(new Error("timeout")));
    request.on("error", reject);
    request.end();
  });
}

/**
 * The kubelet's HTTP probe, always against the pod's own address: `handler.host` is never dialled
 * (a probe must not make ild connect from its own network to an address the pod author chose).
 * 200-399 succeed. Redirects are followed only while they stay on the pod's address (another port
 * or scheme of it is fine), at most 10; a redirect to any other host is not followed and, as in the
 * kubelet, counts as success (the redirect answer itself is a 3xx).
 */
export async function httpProbe(
  handler: HttpGetPlan,
  podIp: string,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<HandlerResult> {
  const headers: Record<string, string> = { "user-agent": "kube-probe/ild", accept: "*/*" };
  for (const header of handler.headers) {
    headers[header.name.toLowerCase()] = header.value;
  }
  let url = probeUrl(handler, podIp);
  for (let redirects = 0; ; redirects++) {
    let answer: Answer;
    try {
      answer = await getOnce(url, headers, timeoutMs, signal);
    } catch (error) {
      return { success: false, message: (error as Error).message };
    }
    if (!REDIRECTS.has(answer.status) || answer.location === undefined) {
      return {
        success: answer.status >= 200 && answer.status < 400,
        message: `HTTP probe failed with statuscode: ${answer.status}`,
      };
    }
    let next: URL;
    try {
      next = new URL(answer.location, url);
    } catch {
      return { success: false, message: `HTTP probe got a redirect to an invalid location` };
    }
    if (bareHost(next.hostname) !== podIp || (next.protocol !== "http:" && next.protocol !== "https:")) {
      return {
        success: true,
        message: `Probe terminated redirects: a redirect to ${next.host} (not the pod's address) is not followed`,
      };
    }
    if (redirects + 1 > MAX_PROBE_REDIRECTS) {
      return { success: false, message: `HTTP probe stopped after ${MAX_PROBE_REDIRECTS} redirects` };
    }
    url = next;
  }
}
