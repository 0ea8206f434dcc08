import { afterAll, beforeAll } from "vitest";
import { createEngineFixture, type EngineFixture } from "./test-support/engine-fixture.js";
import { lifecycleSuite } from "./test-support/lifecycle-suite.js";

let fixture: EngineFixture;

beforeAll(async () => {
  fixture = await createEngineFixture("host-life", "host");
});

afterAll(async () => {
  await fixture.cleanup();
});

lifecycleSuite(() => fixture);
