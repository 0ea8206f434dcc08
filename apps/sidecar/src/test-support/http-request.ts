import { request } from "node:http";

export interface RawAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /** Time (ms since the request) each body chunk arrived. */
  chunkTimes: number[];
}

/** A raw HTTP call (GET with a body included, as interLink sends) for tests of the HTTP layer. */
export function rawRequest(
  target: { port?: number; socketPath?: string },
  method: string,
  path: string,
  body?: string | Buffer,
  headers: Record<string, string> = {},
): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const outgoing = request(
      {
        ...(target.socketPath === undefined
          ? { host: "127.0.0.1", port: target.port }
          : { socketPath: target.socketPath }),
        method,
        path,
        headers: {
          "content-type": "application/json",
          ...(body === undefined ? {} : { "content-length": Buffer.byteLength(body) }),
          ...headers,
        },
      },
      (response) => {
        const chunks: Buffer[] = [];
        const chunkTimes: number[] = [];
        response.on("data", (chunk: Buffer) => {
          chunks.push(chunk);
          chunkTimes.push(performance.now() - started);
        });
        response.on("end", () =>
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            body: Buffer.concat(chunks).toString("utf8"),
            chunkTimes,
          }),
        );
        response.on("error", reject);
      },
    );
    outgoing.on("error", reject);
    if (body !== undefined) {
      outgoing.write(body);
    }
    outgoing.end();
  });
}
