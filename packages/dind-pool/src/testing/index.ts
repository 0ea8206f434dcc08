export type { FakeDockerClientOptions, FakeDockerContainer } from "./fake-docker-client.js";
export { FakeDockerClient } from "./fake-docker-client.js";
export type { FakeContainer, FakeEngine, FakeRouteHandler } from "./fake-engine.js";
export {
  encodeFrame,
  neverAnswer,
  respondError,
  respondJson,
  respondNdjson,
  startFakeEngine,
  writeChunked,
} from "./fake-engine.js";
