export type { ErrorStatusMap } from "./error-status.js";
export { defaultErrorStatuses, errorToMessage, errorToStatus } from "./error-status.js";
export type { PluginRequest, PluginResponse } from "./handle-plugin-request.js";
export { handlePluginRequest, PLUGIN_ROUTES, SESSION_HEADER } from "./handle-plugin-request.js";
export type { NodeHandlerOptions } from "./node-handler.js";
export { toNodeHandler } from "./node-handler.js";
export type {
  LogStreamSource,
  LogsResult,
  PluginHandlerOptions,
  PluginHandlers,
  PluginImplementation,
  RequestContext,
} from "./plugin-handlers.js";
export { createPluginHandlers } from "./plugin-handlers.js";
