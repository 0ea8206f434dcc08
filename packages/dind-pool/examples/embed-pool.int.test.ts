import { rm } from "node:fs/promises";
import { afterAll, expect, it } from "vitest";
import { createDockerClient } from "../src/docker/dockerode-client.js";
import { leftovers, newSocketRoot, removePoolObjects, uniquePoolId } from "../src/pool/pool.test-helpers.js";
import { embedPool } from "./embed-pool.js";

const poolId = uniquePoolId("example");
const host = createDockerClient({ env: {} });
let socketRoot = "";

afterAll(async () => {
  await removePoolObjects(host, poolId, socketRoot);
  await rm(socketRoot, { recursive: true, force: true });
  await host.close();
});

it("the README embedding example runs and leaves nothing behind", async () => {
  socketRoot = await newSocketRoot();
  expect(await embedPool(socketRoot, poolId)).toBe(0);
  expect(await leftovers(host, poolId)).toEqual({ containers: [], networks: [], volumes: [] });
});
