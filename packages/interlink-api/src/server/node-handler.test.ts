import { once } from "node:events";
import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fixture } from "../parse/fixtures.test-helper.js";
import { toNodeHandler } from "./node-handler.js";
import { createPluginHandlers } from "./plugin-handlers.js";
import { samplePlugin } from "./sample-plugin.test-helper.js";

const { implementation } = samplePlugin({
  logs: () => ({
    stream: (async function* () {
      yield "first line\n";
      throw new Error("the container vanished");
    })(),
  }),
});

let server: Server;
let port: number;

beforeAll(async () => {
  server = createServer(toNodeHandler(createPluginHandlers(implementation), { bodyLimitBytes: 1024 })).listen(
    0,
    "127.0.0.1",
  );
  await once(server, "listening");
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

/** A plain node:http request (no undici), body sent in one piece or chunked. */
function call(
  method: string,
  path: string,
  body: string,
  chunked = false,
): Promise<{ status: number; headers: Record<string, unknown>; text: string; error?: Error }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (chunked) {
      // Node only chunks POST-like methods by default; interLink (Go) sends Content-Length.
      headers["transfer-encoding"] = "chunked";
    } else {
      headers["content-length"] = String(Buffer.byteLength(body));
    }
    const outgoing = request({ host: "127.0.0.1", port, method, path, headers }, (response) => {
      let text = "";
      response.setEncoding("utf8");
      response.on("data", (chunk: string) => {
        text += chunk;
      });
      response.on("end", () =>
        resolve({ status: response.statusCode ?? 0, headers: response.headers, text }),
      );
      response.on("error", (error) =>
        resolve({ status: response.statusCode ?? 0, headers: response.headers, text, error }),
      );
    });
    outgoing.on("error", reject);
    if (chunked) {
      outgoing.write(body.slice(0, 1));
      outgoing.end(body.slice(1));
    } else {
      outgoing.end(body);
    }
  });
}

describe("toNodeHandler", () => {
  it("reads a JSON body on GET, with Content-Length or chunked", async () => {
    const plain = await call("GET", "/status", JSON.stringify(fixture("status-request.json")));
    expect(plain.status).toBe(200);
    expect(JSON.parse(plain.text)[0]).toMatchObject({ name: "demo", namespace: "default" });
    const chunked = await call("GET", "/status", "[]", true);
    expect(chunked).toMatchObject({ status: 200, text: "[]" });
  });

  it("answers 413 for a body over the limit, declared or chunked", async () => {
    const big = JSON.stringify([{ metadata: { name: "x".repeat(2000) } }]);
    expect((await call("GET", "/status", big)).status).toBe(413);
    const chunked = await call("GET", "/status", big, true);
    expect(chunked.status).toBe(413);
    expect(chunked.text).toBe("request body larger than 1024 bytes\n");
  });

  it("cuts the connection when a log stream fails after its first bytes", async () => {
    const answer = await call("GET", "/getLogs", JSON.stringify(fixture("log-request.json")));
    expect(answer.status).toBe(200);
    expect(answer.text).toBe("first line\n");
    expect(answer.error?.message).toMatch(/aborted|socket hang up|ECONNRESET/);
  });
});
