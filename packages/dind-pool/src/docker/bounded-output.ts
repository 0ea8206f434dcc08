/**
 * Collects a stream's bytes up to a limit and drops the rest (still counting it): an exec probe's
 * output stays at most `limitBytes` in memory whatever the command prints. No limit: keeps everything.
 */
export class BoundedOutput {
  private readonly chunks: Buffer[] = [];
  private kept = 0;
  private seen = 0;

  constructor(private readonly limitBytes?: number) {}

  push(data: Buffer): void {
    this.seen += data.length;
    const room = this.limitBytes === undefined ? data.length : Math.max(0, this.limitBytes - this.kept);
    if (room === 0) {
      return;
    }
    const piece = data.length <= room ? data : Buffer.from(data.subarray(0, room));
    this.chunks.push(piece);
    this.kept += piece.length;
  }

  /** All bytes seen, kept or not. */
  get totalBytes(): number {
    return this.seen;
  }

  get truncated(): boolean {
    return this.seen > this.kept;
  }

  /** What was kept, as UTF-8 (a character cut at the limit becomes U+FFFD). */
  text(): string {
    return Buffer.concat(this.chunks, this.kept).toString("utf8");
  }
}
