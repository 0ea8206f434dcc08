import { afterAll, beforeAll } from "vitest";
import { createEngineFixture, type EngineFixture } from "./test-support/engine-fixture.js";
import { podSuite } from "./test-support/pod-suite.js";

let fixture: EngineFixture;

beforeAll(async () => {
  fixture = await createEngineFixture("dind-pods", "dind");
});

afterAll(async () => {
  await fixture.cleanup();
});

podSuite(() => fixture);
