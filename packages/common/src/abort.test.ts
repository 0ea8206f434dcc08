import { describe, expect, it } from "vitest";
import { combineSignals, sleep } from "./abort.js";

describe("sleep", () => {
  it("resolves after the delay", async () => {
    await expect(sleep(1)).resolves.toBeUndefined();
  });

  it("rejects with the signal's reason when aborted first", async () => {
    const controller = new AbortController();
    const pending = sleep(60_000, controller.signal);
    controller.abort(new Error("stop"));
    await expect(pending).rejects.toThrow("stop");
  });

  it("rejects at once on an aborted signal", async () => {
    await expect(sleep(60_000, AbortSignal.abort(new Error("already")))).rejects.toThrow("already");
  });
});

describe("combineSignals", () => {
  it("aborts when any input aborts", () => {
    const a = new AbortController();
    const b = new AbortController();
    const combined = combineSignals([a.signal, undefined, b.signal]);
    expect(combined.aborted).toBe(false);
    b.abort(new Error("b"));
    expect(combined.aborted).toBe(true);
    expect(combined.reason).toEqual(new Error("b"));
  });

  it("returns the only signal as it is, and adds a deadline when asked", async () => {
    const a = new AbortController();
    expect(combineSignals([a.signal])).toBe(a.signal);
    const timed = combineSignals([], 5);
    await sleep(30);
    expect(timed.aborted).toBe(true);
  });
});
