/** The subset of pino's API that libraries use. Pass `pino()` or leave the default no-op. */
export interface Logger {
  debug(bindings: object, message: string): void;
  info(bindings: object, message: string): void;
  warn(bindings: object, message: string): void;
  error(bindings: object, message: string): void;
  child(bindings: object): Logger;
}

const noop = (): void => {};

export const noopLogger: Logger = {
  debug: noop,
  info: noop,
  warn: noop,
  error: noop,
  child: () => noopLogger,
};
