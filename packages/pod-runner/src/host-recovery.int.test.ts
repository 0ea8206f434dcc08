import { afterAll, beforeAll } from "vitest";
import { createEngineFixture, type EngineFixture } from "./test-support/engine-fixture.js";
import { holdHook, recoverySuite, releaseHeldPods } from "./test-support/recovery-suite.js";

let fixture: EngineFixture;

beforeAll(async () => {
  fixture = await createEngineFixture("host-recovery", "host", { hooks: [holdHook] });
});

afterAll(async () => {
  releaseHeldPods();
  await fixture.cleanup();
});

recoverySuite(() => fixture);
