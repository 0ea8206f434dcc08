/**
 * The sidecar's HTTP load limits (`Ild.server.*`): past them a request is answered 429/503 with
 * `Retry-After` instead of piling up work on a small host. Listed in `settings` after the other
 * server keys.
 */
import type { SettingSpec } from "./settings.js";
import * as parse from "./value-parsers.js";

export const limitSettings: readonly SettingSpec[] = [
  {
    key: "server.maxConcurrentCreates",
    env: "ILD_SERVER_MAX_CONCURRENT_CREATES",
    parser: parse.integer(1, 1000),
    defaultValue: 4,
    type: "integer",
    meaning:
      "Pod creates that run at once (a repeated /create of a pod being created joins it, not counted twice). More wait in a FIFO queue, within the create deadline (interLink never retries a /create). The default suits a 2-core host.",
  },
  {
    key: "server.maxQueuedCreates",
    env: "ILD_SERVER_MAX_QUEUED_CREATES",
    parser: parse.integer(0, 100_000),
    defaultValue: 256,
    type: "integer",
    meaning:
      "Creates that may wait for one of the `maxConcurrentCreates` slots (first come, first served). Past it: 429 with `Retry-After`.",
  },
  {
    key: "server.maxConnections",
    env: "ILD_SERVER_MAX_CONNECTIONS",
    parser: parse.integer(1, 100_000),
    defaultValue: 128,
    type: "integer",
    meaning:
      "Open client connections, all listeners together. A request on a connection past it: 503 with `Retry-After`, then closed; past twice it, connections are refused at once. `/healthz` is always answered.",
  },
  {
    key: "server.retryAfterSeconds",
    env: "ILD_SERVER_RETRY_AFTER_SECONDS",
    parser: parse.integer(1, 3600),
    defaultValue: 5,
    type: "seconds",
    meaning: "`Retry-After` of the 429/503 answers above.",
  },
];
