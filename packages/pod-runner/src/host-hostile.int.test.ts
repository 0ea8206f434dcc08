import { afterAll, beforeAll } from "vitest";
import { createEngineFixture, type EngineFixture } from "./test-support/engine-fixture.js";
import { hostileSuite } from "./test-support/hostile-suite.js";

let fixture: EngineFixture;

beforeAll(async () => {
  fixture = await createEngineFixture("host-hostile", "host", { emptyDirCheckMs: 300 });
});

afterAll(async () => {
  await fixture.cleanup();
});

hostileSuite(() => fixture);
