export { combineSignals, sleep } from "./abort.js";
export { DOCKER_DEFAULT_CAPABILITIES } from "./capabilities.js";
export { escapeControl } from "./escape-control.js";
export type { IldErrorOptions } from "./ild-error.js";
export { IldError } from "./ild-error.js";
export type { Logger } from "./logger.js";
export { noopLogger } from "./logger.js";
