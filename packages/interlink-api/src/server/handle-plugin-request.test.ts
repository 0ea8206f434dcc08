import { IldError } from "@ild/common";
import { describe, expect, it } from "vitest";
import { editableFixture, fixture } from "../parse/fixtures.test-helper.js";
import { errorToStatus } from "./error-status.js";
import { handlePluginRequest, type PluginResponse } from "./handle-plugin-request.js";
import {
  createPluginHandlers,
  type PluginHandlerOptions,
  type PluginImplementation,
} from "./plugin-handlers.js";
import { samplePlugin } from "./sample-plugin.test-helper.js";

function handlers(overrides: Partial<PluginImplementation> = {}, options: PluginHandlerOptions = {}) {
  const sample = samplePlugin(overrides);
  return { ...sample, handlers: createPluginHandlers(sample.implementation, options) };
}

function jsonRequest(method: string, path: string, body: unknown, headers: Record<string, string> = {}) {
  return {
    method,
    path,
    headers: { "content-type": "application/json", ...headers },
    body: Buffer.from(JSON.stringify(body)),
  };
}

async function readStream(response: PluginResponse): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of response.stream ?? []) {
    chunks.push(Buffer.from(chunk));
  }
  return Buffer.concat(chunks).toString("utf8");
}

class QuotaError extends IldError {
  constructor() {
    super("ILD_TEST_QUOTA", "no DIND available within 60 s");
  }
}

describe("handlePluginRequest", () => {
  it("creates from the contract's example: exactly 200 and ONE CreateStruct object", async () => {
    const { handlers: h, recorded } = handlers();
    const response = await handlePluginRequest(
      jsonRequest("POST", "/create", fixture("create-request.json"), {
        "InterLink-Http-Session": "CreatePod#48213",
      }),
      h,
    );
    expect(response.status).toBe(200);
    expect(response.headers["content-type"]).toBe("application/json");
    expect(JSON.parse(response.body ?? "")).toEqual({
      PodUID: "3f5b6c1e-8a2d-4f7b-9c1e-2d4a6b8c0e1f",
      PodJID: "job-1",
    });
    expect(recorded.creates[0]?.container[0]?.secrets).toEqual([]);
  });

  it("passes the session header and a signal in the context", async () => {
    const { handlers: h, recorded } = handlers();
    await handlePluginRequest(
      {
        ...jsonRequest("POST", "/create", fixture("create-request.json")),
        headers: { "interlink-http-session": "CreatePod#7" },
      },
      h,
    );
    expect(recorded.contexts[0]?.sessionId).toBe("CreatePod#7");
    expect(recorded.contexts[0]?.signal.aborted).toBe(false);
  });

  it("accepts the legacy one-element array on /create", async () => {
    const { handlers: h, recorded } = handlers();
    const response = await handlePluginRequest(
      jsonRequest("POST", "/create", fixture("create-request-legacy-array.json")),
      h,
    );
    expect(response.status).toBe(200);
    expect(recorded.creates[0]?.pod.metadata.name).toBe("demo");
  });

  it("answers GET /status with a JSON body with the statuses", async () => {
    const { handlers: h } = handlers();
    const response = await handlePluginRequest(
      jsonRequest("GET", "/status", fixture("status-request.json")),
      h,
    );
    expect(response.status).toBe(200);
    const statuses = JSON.parse(response.body ?? "");
    expect(statuses).toEqual([
      expect.objectContaining({
        name: "demo",
        UID: "3f5b6c1e-8a2d-4f7b-9c1e-2d4a6b8c0e1f",
        namespace: "default",
      }),
    ]);
  });

  it("answers the ping ([]) through status([]) when ping is not implemented", async () => {
    const { handlers: h, recorded } = handlers();
    const response = await handlePluginRequest(jsonRequest("GET", "/status", []), h);
    expect(response.status).toBe(200);
    expect(response.body).toBe("[]");
    expect(recorded.statusCalls).toEqual([[]]);
  });

  it("answers the ping with the implementation's PingResponse, or {status: ok}", async () => {
    const ping = fixture("ping-response.json") as never;
    const withPing = handlers({ ping: () => ping });
    const response = await handlePluginRequest(jsonRequest("GET", "/status", []), withPing.handlers);
    expect(JSON.parse(response.body ?? "")).toEqual(ping);
    expect(withPing.recorded.statusCalls).toEqual([]);
    const bare = handlers({ ping: () => undefined });
    expect(
      JSON.parse((await handlePluginRequest(jsonRequest("GET", "/status", []), bare.handlers)).body ?? ""),
    ).toEqual({
      status: "ok",
    });
  });

  it("streams logs with friendly options", async () => {
    const { handlers: h, recorded } = handlers();
    const response = await handlePluginRequest(
      jsonRequest("GET", "/getLogs", fixture("log-request.json")),
      h,
    );
    expect(response.status).toBe(200);
    expect(response.headers["content-type"]).toBe("text/plain; charset=utf-8");
    expect(await readStream(response)).toBe("hello from main\nbye\n");
    expect(recorded.logs[0]).toMatchObject({ tail: 100, follow: false, containerName: "main" });
  });

  it("accepts string, bytes and async-iterable log sources", async () => {
    for (const stream of [
      "abc",
      new TextEncoder().encode("abc"),
      (async function* () {
        yield "a";
        yield new TextEncoder().encode("bc");
      })(),
    ]) {
      const { handlers: h } = handlers({ logs: () => ({ stream }) });
      const response = await handlePluginRequest(
        jsonRequest("GET", "/getLogs", fixture("log-request.json")),
        h,
      );
      expect(await readStream(response)).toBe("abc");
    }
  });

  it("deletes with 200 and a default text body, or the implementation's text", async () => {
    const { handlers: h, recorded } = handlers();
    const response = await handlePluginRequest(
      jsonRequest("POST", "/delete", fixture("delete-request.json")),
      h,
    );
    expect(response).toMatchObject({
      status: 200,
      body: "pod 3f5b6c1e-8a2d-4f7b-9c1e-2d4a6b8c0e1f deleted\n",
    });
    expect(recorded.deletes).toEqual(["3f5b6c1e-8a2d-4f7b-9c1e-2d4a6b8c0e1f"]);
    const custom = handlers({ delete: () => "All containers for submitted Pods have been deleted" });
    expect(
      (
        await handlePluginRequest(
          jsonRequest("POST", "/delete", fixture("delete-request.json")),
          custom.handlers,
        )
      ).body,
    ).toBe("All containers for submitted Pods have been deleted\n");
  });

  it("answers 400 with every field path for bad input", async () => {
    const { handlers: h, recorded } = handlers();
    const body = editableFixture("create-request.json");
    delete body.pod.metadata.uid;
    body.container[1].secrets[0].data.password = "not base64!";
    const response = await handlePluginRequest(jsonRequest("POST", "/create", body), h);
    expect(response.status).toBe(400);
    expect(response.headers["x-ild-error-code"]).toBe("ILD_WIRE_INVALID");
    expect(response.body).toBe(
      "invalid create request:\n  pod.metadata.uid: required\n  container[1].secrets[0].data.password: expected a base64 string\n",
    );
    expect(recorded.creates).toEqual([]);
  });

  it("answers 400 for a body that is not JSON, or empty", async () => {
    const { handlers: h } = handlers();
    const broken = await handlePluginRequest({ method: "GET", path: "/status", body: Buffer.from("[{") }, h);
    expect(broken.status).toBe(400);
    expect(broken.body).toMatch(/^invalid status request:\n {2}the body is not JSON: /);
    const empty = await handlePluginRequest({ method: "POST", path: "/create" }, h);
    expect(empty).toMatchObject({
      status: 400,
      body: "invalid create request:\n  the body is empty: expected one RetrievedPodData JSON object\n",
    });
  });

  it("answers 400 for interLink's log rules (Tail with Bytes)", async () => {
    const { handlers: h } = handlers();
    const body = editableFixture("log-request.json");
    body.Opts.Bytes = 10;
    const response = await handlePluginRequest(jsonRequest("GET", "/getLogs", body), h);
    expect(response).toMatchObject({
      status: 400,
      body: "invalid log request:\n  Opts.Bytes: Tail and Bytes cannot both be set\n",
    });
  });

  it("answers 404 for unknown paths and 405 (with Allow) for wrong methods", async () => {
    const { handlers: h } = handlers();
    const missing = await handlePluginRequest({ method: "GET", path: "/ping" }, h);
    expect(missing.status).toBe(404);
    expect(missing.body).toContain("/create, /delete, /status, /getLogs");
    expect((await handlePluginRequest({ method: "GET", path: "/toString" }, h)).status).toBe(404);
    const wrong = await handlePluginRequest({ method: "GET", path: "/create" }, h);
    expect(wrong).toMatchObject({ status: 405, headers: { allow: "POST" } });
    expect((await handlePluginRequest({ method: "PUT", path: "/status" }, h)).headers.allow).toBe(
      "GET, POST",
    );
    const postedLogs = await handlePluginRequest(jsonRequest("POST", "/getLogs", {}), h);
    expect(postedLogs).toMatchObject({ status: 405, headers: { allow: "GET" } });
    expect(postedLogs.stream).toBeUndefined();
  });

  it("ignores a query string", async () => {
    const { handlers: h } = handlers();
    expect((await handlePluginRequest(jsonRequest("GET", "/status?x=1", []), h)).status).toBe(200);
  });

  it("answers 500 with the error's message when the implementation throws, and maps IldError codes", async () => {
    const failing = handlers({
      create: () => {
        throw new Error("sbatch: error: Batch job submission failed");
      },
      status: () => {
        throw new QuotaError();
      },
    });
    const create = await handlePluginRequest(
      jsonRequest("POST", "/create", fixture("create-request.json")),
      failing.handlers,
    );
    expect(create).toMatchObject({ status: 500, body: "sbatch: error: Batch job submission failed\n" });
    const status = await handlePluginRequest(
      jsonRequest("GET", "/status", fixture("status-request.json")),
      failing.handlers,
    );
    expect(status).toMatchObject({ status: 500, headers: { "x-ild-error-code": "ILD_TEST_QUOTA" } });
    const mapped = createPluginHandlers(failing.implementation, { errorStatuses: { ILD_TEST_QUOTA: 503 } });
    expect(
      (await handlePluginRequest(jsonRequest("GET", "/status", fixture("status-request.json")), mapped))
        .status,
    ).toBe(503);
  });

  it("answers 500 when the implementation returns something off-contract", async () => {
    const wrong = handlers({ create: () => [{ PodUID: "u", PodJID: "j" }] as never });
    const response = await handlePluginRequest(
      jsonRequest("POST", "/create", fixture("create-request.json")),
      wrong.handlers,
    );
    expect(response.status).toBe(500);
    expect(response.body).toContain("the plugin produced an invalid create response");
    const unchecked = createPluginHandlers(wrong.implementation, { validateResponses: false });
    expect(
      (await handlePluginRequest(jsonRequest("POST", "/create", fixture("create-request.json")), unchecked))
        .status,
    ).toBe(200);
  });

  it("requires the bearer token when one is configured", async () => {
    const { handlers: h } = handlers({}, { authToken: "s3cr3t" });
    const none = await handlePluginRequest(jsonRequest("GET", "/status", []), h);
    expect(none).toMatchObject({ status: 401, headers: { "www-authenticate": "Bearer" } });
    expect(
      (await handlePluginRequest(jsonRequest("GET", "/status", [], { authorization: "Bearer nope" }), h))
        .status,
    ).toBe(401);
    expect(
      (await handlePluginRequest(jsonRequest("GET", "/status", [], { authorization: "Bearer s3cr3t" }), h))
        .status,
    ).toBe(200);
  });
});

describe("errorToStatus", () => {
  it("maps wire errors to 400, mapped codes to their status, the rest to 500", () => {
    expect(errorToStatus(new QuotaError())).toBe(500);
    expect(errorToStatus(new QuotaError(), { ILD_TEST_QUOTA: 503 })).toBe(503);
    expect(errorToStatus(new QuotaError(), { ILD_TEST_QUOTA: 200 })).toBe(500);
    expect(errorToStatus(new Error("x"))).toBe(500);
    expect(errorToStatus("text")).toBe(500);
  });
});
