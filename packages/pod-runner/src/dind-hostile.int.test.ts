import { afterAll, beforeAll } from "vitest";
import { dindVisibilitySuite } from "./test-support/dind-visibility-suite.js";
import { createEngineFixture, type EngineFixture } from "./test-support/engine-fixture.js";
import { hostileSuite } from "./test-support/hostile-suite.js";

let fixture: EngineFixture;

beforeAll(async () => {
  fixture = await createEngineFixture("dind-hostile", "dind", { emptyDirCheckMs: 300 });
});

afterAll(async () => {
  await fixture.cleanup();
});

hostileSuite(() => fixture);
dindVisibilitySuite(() => fixture);
