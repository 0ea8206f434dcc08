import { readFileSync } from "node:fs";

/** Reads a JSON fixture from packages/interlink-api/fixtures (payloads from interlink-contract.md). */
export function fixture(name: string): unknown {
  return JSON.parse(readFileSync(new URL(`../../fixtures/${name}`, import.meta.url), "utf8"));
}

/** A freely editable JSON value: tests poke at fixtures to break them in precise places. */
// biome-ignore lint/suspicious/noExplicitAny: test payloads are edited at arbitrary depth
export type Editable = any;

/** A deep copy of a fixture, for tests that edit it. */
export function editableFixture(name: string): Editable {
  return structuredClone(fixture(name));
}
