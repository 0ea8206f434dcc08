import http2 from "node:http2";

function encodeHealthRequest(service: string | undefined): Buffer {
  const name = Buffer.from(service ?? "", "utf8");
  // HealthCheckRequest { string service = 1; }: tag 0x0a, varint length (services are short).
  const message =
    name.length === 0 ? Buffer.alloc(0) : Buffer.concat([Buffer.from([0x0a, name.length]), name]);
  const frame = Buffer.alloc(5 + message.length);
  frame.writeUInt8(0, 0);
  frame.writeUInt32BE(message.length, 1);
  message.copy(frame, 5);
  return frame;
}

/** HealthCheckResponse { ServingStatus status = 1; } → SERVING is 1. */
function isServing(body: Buffer): boolean {
  if (body.length < 5) {
    return false;
  }
  const message = body.subarray(5, 5 + body.readUInt32BE(1));
  for (let index = 0; index + 1 < message.length; index += 2) {
    if (message[index] === 0x08) {
      return message[index + 1] === 1;
    }
  }
  return false;
}

/** Most bytes of a health answer read (it is 7 bytes; more means something else is answering). */
export const MAX_RESPONSE_BYTES = 16 * 1024;

/** grpc.health.v1.Health/Check over plain HTTP/2 (h2c), as the kubelet's gRPC probe does. */
export function grpcHealthCheck(
  host: string,
  port: number,
  service: string | undefined,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<boolean> {
  return new Promise((resolve) => {
    const authority = host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
    const session = http2.connect(`http://${authority}`);
    let settled = false;
    const finish = (result: boolean): void => {
      if (!settled) {
        settled = true;
        clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
        session.destroy();
        resolve(result);
      }
    };
    const onAbort = (): void => finish(false);
    const timer = setTimeout(() => finish(false), timeoutMs);
    signal?.addEventListener("abort", onAbort, { once: true });
    session.on("error", () => finish(false));
    const request = session.request({
      ":method": "POST",
      ":path": "/grpc.health.v1.Health/Check",
      "content-type": "application/grpc",
      te: "trailers",
    });
    const chunks: Buffer[] = [];
    let grpcStatus: string | undefined;
    request.on("response", (headers) => {
      const status = headers["grpc-status"];
      if (status !== undefined) {
        grpcStatus = String(status);
      }
    });
    request.on("trailers", (trailers) => {
      grpcStatus = String(trailers["grpc-status"] ?? grpcStatus);
    });
    let received = 0;
    request.on("data", (chunk: Buffer) => {
      received += chunk.length;
      if (received > MAX_RESPONSE_BYTES) {
        // a health answer is a few bytes: a server that sends more is not healthy, and is not buffered
        finish(false);
        return;
      }
      chunks.push(chunk);
    });
    request.on("end", () => finish(grpcStatus === "0" && isServing(Buffer.concat(chunks))));
    request.on("error", () => finish(false));
    request.end(encodeHealthRequest(service));
  });
}
