import { once } from "node:events";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { decodeSecretData, parseCreateRequest } from "@ild/interlink-api";
import { createInterlinkClient } from "@ild/interlink-api/client";
import { createPluginHandlers, toNodeHandler } from "@ild/interlink-api/server";
import { readmeAndTestedUsage } from "@ild/test-support";
import { describe, expect, it } from "vitest";
import { fixture } from "./parse/fixtures.test-helper.js";

describe("README", () => {
  it("shows in README.md exactly the code this test runs", () => {
    const { readme, tested } = readmeAndTestedUsage(
      new URL("../README.md", import.meta.url),
      import.meta.url,
    );
    expect(readme).toEqual(tested);
  });

  it("runs the Usage example", async () => {
    const body = fixture("create-request.json");
    const out: unknown[] = [];
    const log = (...values: unknown[]) => out.push(values);
    // --- the README's Usage code ---
    const handlers = createPluginHandlers({
      create: (data) => ({ PodUID: data.pod.metadata.uid, PodJID: "job-1" }),
      status: (pods) =>
        pods.map((pod) => ({
          name: pod.metadata.name,
          UID: pod.metadata.uid,
          namespace: pod.metadata.namespace,
          containers: [
            { name: "main", image: "", imageID: "", ready: false, restartCount: 0, state: { waiting: {} } },
          ],
        })),
      ping: () => ({ status: "ok" }),
      logs: (request) => ({ stream: `no logs yet for ${request.containerName}\n` }),
      delete: (pod) => `deleted ${pod.metadata.uid}`,
    });
    const server = createServer(toNodeHandler(handlers)).listen(0, "127.0.0.1");
    await once(server, "listening");
    const { port } = server.address() as AddressInfo;

    const client = createInterlinkClient({ baseUrl: `http://127.0.0.1:${port}` });
    log(await client.ping()); // { body: '{"status":"ok"}', response: { status: 'ok' } }
    log(await client.create(body as never)); // { PodUID: '3f5b6c1e-…', PodJID: 'job-1' }
    await client.close();
    server.close();

    // Parsing on its own: one object or the legacy array, null lists → [], secrets stay base64.
    const data = parseCreateRequest(body);
    const secret = data.container[1]?.secrets[0];
    log(secret && decodeSecretData(secret).password?.toString()); // s3cr3t
    // --- end ---
    expect(out).toEqual([
      [{ body: '{"status":"ok"}', response: { status: "ok" } }],
      [{ PodUID: "3f5b6c1e-8a2d-4f7b-9c1e-2d4a6b8c0e1f", PodJID: "job-1" }],
      ["s3cr3t"],
    ]);
  });
});
