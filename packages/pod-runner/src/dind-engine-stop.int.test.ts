import { afterAll, beforeAll } from "vitest";
import { createEngineFixture, type EngineFixture } from "./test-support/engine-fixture.js";
import { engineStopSuite } from "./test-support/engine-stop-suite.js";

let fixture: EngineFixture;

beforeAll(async () => {
  fixture = await createEngineFixture("dind-engine-stop", "dind");
});

afterAll(async () => {
  await fixture.cleanup();
});

engineStopSuite(() => fixture);
