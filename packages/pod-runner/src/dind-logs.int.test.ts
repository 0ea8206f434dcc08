import { afterAll, beforeAll } from "vitest";
import { createEngineFixture, type EngineFixture } from "./test-support/engine-fixture.js";
import { logsSuite } from "./test-support/logs-suite.js";

let fixture: EngineFixture;

beforeAll(async () => {
  fixture = await createEngineFixture("dind-logs", "dind");
});

afterAll(async () => {
  await fixture.cleanup();
});

logsSuite(() => fixture);
