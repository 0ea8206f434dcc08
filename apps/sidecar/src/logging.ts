import { type DestinationStream, type Level, type Logger as PinoLogger, pino } from "pino";

export interface LoggingSettings {
  /** An explicit pino level wins over the two flags. */
  level?: string;
  /** The Go plugin's VerboseLogging: debug. */
  verbose?: boolean;
  /** The Go plugin's ErrorsOnlyLogging: error (when not verbose). */
  errorsOnly?: boolean;
}

const LEVELS = new Set<string>(["fatal", "error", "warn", "info", "debug", "trace", "silent"]);

export function resolveLogLevel(settings: LoggingSettings): Level | "silent" {
  if (settings.level !== undefined && LEVELS.has(settings.level)) {
    return settings.level as Level | "silent";
  }
  if (settings.verbose === true) {
    return "debug";
  }
  if (settings.errorsOnly === true) {
    return "error";
  }
  return "info";
}

/** Paths pino blanks out wherever they appear in a log line: tokens and credentials never reach the log. */
export const REDACTED_PATHS = [
  "authToken",
  "token",
  "password",
  "authorization",
  "*.authToken",
  "*.token",
  "*.password",
  "*.authorization",
  "headers.authorization",
  "*.headers.authorization",
];

/** The process logger: JSON lines on stdout (or `destination`), one clear `msg` per line. */
export function createLogger(settings: LoggingSettings, destination?: DestinationStream): PinoLogger {
  return pino(
    {
      level: resolveLogLevel(settings),
      base: { service: "ild-sidecar" },
      redact: { paths: REDACTED_PATHS, censor: "[redacted]" },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    destination ?? pino.destination({ dest: 1, sync: true }),
  );
}
