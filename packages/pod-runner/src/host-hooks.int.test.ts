import { afterAll, beforeAll } from "vitest";
import { createEngineFixture, type EngineFixture } from "./test-support/engine-fixture.js";
import { hooksSuite, testHooks } from "./test-support/hooks-suite.js";

let fixture: EngineFixture;

beforeAll(async () => {
  fixture = await createEngineFixture("host-hooks", "host", { hooks: testHooks });
});

afterAll(async () => {
  await fixture.cleanup();
});

hooksSuite(() => fixture);
