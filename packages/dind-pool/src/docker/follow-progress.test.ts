import { PassThrough, Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { DockerStreamError } from "./docker-errors.js";
import { followProgress } from "./follow-progress.js";

describe("followProgress", () => {
  it("resolves with every event and reports progress", async () => {
    const seen: string[] = [];
    const events = await followProgress(
      Readable.from([Buffer.from('{"status":"a"}\n{"sta'), Buffer.from('tus":"b"}\n')]),
      "pull",
      { onProgress: (event) => seen.push(String(event.status)) },
    );
    expect(events).toHaveLength(2);
    expect(seen).toEqual(["a", "b"]);
  });

  it("rejects on an in-band error line although the stream ended normally", async () => {
    const source = Readable.from([
      Buffer.from(
        '{"status":"Pulling"}\n{"errorDetail":{"message":"manifest unknown"},"error":"manifest unknown"}\n',
      ),
    ]);
    const promise = followProgress(source, "image.pull");
    await expect(promise).rejects.toBeInstanceOf(DockerStreamError);
    await expect(followProgress(Readable.from([Buffer.from('{"error":"boom"}\n')]), "x")).rejects.toThrow(
      /boom/,
    );
  });

  it("rejects on a stream error", async () => {
    const source = new PassThrough();
    const promise = followProgress(source, "image.load");
    source.write('{"status":"x"}\n');
    source.destroy(new Error("socket hang up"));
    await expect(promise).rejects.toThrow(/socket hang up/);
  });

  it("rejects with the signal's reason when aborted and destroys the source", async () => {
    const source = new PassThrough();
    const controller = new AbortController();
    const promise = followProgress(source, "image.pull", { signal: controller.signal });
    controller.abort(new Error("deadline"));
    await expect(promise).rejects.toThrow(/deadline/);
    expect(source.destroyed).toBe(true);
  });
});
