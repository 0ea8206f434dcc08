export type { CallOptions, InterlinkClient, InterlinkClientOptions, PingResult } from "./interlink-client.js";
export { createInterlinkClient } from "./interlink-client.js";
export { PLUGIN_HTTP_ERROR, PluginHttpError } from "./plugin-http-error.js";
