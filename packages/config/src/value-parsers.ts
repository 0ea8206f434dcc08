/**
 * One parser per kind of setting. Each accepts what YAML (read with the failsafe schema: every scalar
 * is a string), an environment variable (a string) or a programmatic override (a typed value) gives,
 * validates it with zod and converts it. On failure it names the expected form, so messages read
 * `SidecarPort: expected a port number 1-65535, got 'abc'`.
 */
import { isAbsolute, resolve } from "node:path";
import { z } from "zod";

export type ParseResult<T> = { ok: true; value: T; warning?: string } | { ok: false; message: string };

export interface ValueParser<T> {
  /** The expected form, as shown in error messages and in the README ("a port number 1-65535"). */
  readonly expected: string;
  /** `baseDir` resolves relative paths (the config file's folder, or the working directory). */
  parse(raw: unknown, baseDir: string): ParseResult<T>;
}

function fromZod<T>(expected: string, schema: z.ZodType<T>): ValueParser<T> {
  return {
    expected,
    parse(raw) {
      const result = schema.safeParse(raw);
      return result.success
        ? { ok: true, value: result.data }
        : { ok: false, message: `expected ${expected}` };
    },
  };
}

const digits = /^[+]?\d+$/;

/** An integer, from a number or a decimal string. */
function intSchema(min: number, max: number): z.ZodType<number> {
  return z
    .union([z.number(), z.string().trim().regex(digits).transform(Number)])
    .pipe(z.int().min(min).max(max));
}

export const port = fromZod("a port number 1-65535", intSchema(1, 65535));

export function integer(min: number, max: number, what = "an integer"): ValueParser<number> {
  return fromZod(`${what} ${min}-${max}`, intSchema(min, max));
}

/** Milliseconds: a non-negative integer. */
export const durationMs = fromZod(
  "a duration in milliseconds (an integer >= 0)",
  intSchema(0, 2_147_483_647),
);

const trueWords = new Set(["true", "1", "yes", "on", "y"]);
const falseWords = new Set(["false", "0", "no", "off", "n"]);

export const boolean = fromZod(
  "true or false",
  z.union([
    z.boolean(),
    z
      .string()
      .trim()
      .toLowerCase()
      .refine((value) => trueWords.has(value) || falseWords.has(value))
      .transform((value) => trueWords.has(value)),
  ]),
);

/** Strictly `true` or `false` (the reference plugin's TSOCKS rule). */
export const strictBoolean = fromZod(
  "true or false",
  z.union([z.boolean(), z.enum(["true", "false"]).transform((value) => value === "true")]),
);

export const nonEmptyString = fromZod("a non-empty string", z.string().trim().min(1));

/** Any string, empty included (reference keys that are only carried along). */
export const anyString = fromZod(
  "a string",
  z.union([z.string(), z.number().transform(String), z.boolean().transform(String)]),
);

export function oneOf<const T extends string>(values: readonly T[]): ValueParser<T> {
  return fromZod(
    `one of ${values.map((value) => `'${value}'`).join(", ")}`,
    z
      .string()
      .trim()
      .pipe(z.enum(values as unknown as [T, ...T[]])),
  );
}

/** A list: a YAML/JS list of strings, or a comma-separated string (environment variables). */
export function stringList(
  itemExpected = "strings",
  item: z.ZodType<string, string> = z.string().trim().min(1),
) {
  return fromZod(
    `a list of ${itemExpected} (or a comma-separated string)`,
    z
      .union([
        z.array(z.string()),
        z.string().transform((value) =>
          value
            .split(",")
            .map((part) => part.trim())
            .filter((part) => part !== ""),
        ),
      ])
      .pipe(z.array(item)),
  );
}

const units: Record<string, number> = {
  "": 1,
  b: 1,
  k: 1024,
  kb: 1024,
  ki: 1024,
  kib: 1024,
  m: 1024 ** 2,
  mb: 1024 ** 2,
  mi: 1024 ** 2,
  mib: 1024 ** 2,
  g: 1024 ** 3,
  gb: 1024 ** 3,
  gi: 1024 ** 3,
  gib: 1024 ** 3,
  t: 1024 ** 4,
  tb: 1024 ** 4,
  ti: 1024 ** 4,
  tib: 1024 ** 4,
};
const sizePattern = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i;

/** A size in bytes: a number, or a string like `8g`, `512Mi`, `1048576` (units are binary, as in Docker). */
export const byteSize = fromZod(
  "a size like '8g', '512m' or a number of bytes",
  z
    .union([
      z.number(),
      z
        .string()
        .trim()
        .transform((value, ctx) => {
          const match = sizePattern.exec(value);
          const factor = match ? units[(match[2] ?? "").toLowerCase()] : undefined;
          if (!match || factor === undefined) {
            ctx.addIssue({ code: "custom", message: "bad size" });
            return z.NEVER;
          }
          return Math.round(Number(match[1]) * factor);
        }),
    ])
    .pipe(z.int().positive()),
);

/** A positive number such as `1.5` (CPUs). */
export const positiveNumber = fromZod(
  "a positive number",
  z
    .union([
      z.number(),
      z
        .string()
        .trim()
        .regex(/^\d+(\.\d+)?$/)
        .transform(Number),
    ])
    .pipe(z.number().positive()),
);

/**
 * A file mode. Strings are octal like chmod (`"0660"`, `"660"`, `"0o660"`); numbers are taken as they
 * are (`0o660` in JavaScript). At most 0o777.
 */
export const fileMode = fromZod(
  "an octal file mode like '0660'",
  z
    .union([
      z.number(),
      z
        .string()
        .trim()
        .regex(/^(0o?)?[0-7]{1,4}$/)
        .transform((value) => Number.parseInt(value.replace(/^0o/, ""), 8)),
    ])
    .pipe(z.int().min(0).max(0o777)),
);

/** A path; a relative one is resolved against the config file's folder (or the working directory). */
export const path: ValueParser<string> = {
  expected: "a path",
  parse(raw, baseDir) {
    const result = z.string().trim().min(1).safeParse(raw);
    if (!result.success) {
      return { ok: false, message: "expected a path" };
    }
    return {
      ok: true,
      value: isAbsolute(result.data) ? resolve(result.data) : resolve(baseDir, result.data),
    };
  },
};

/** A unix socket: `unix:///path` or a plain path (relative ones resolve like other paths). */
export const unixSocket: ValueParser<string> = {
  expected: "a unix socket like 'unix:///run/ild/ild.sock' or a path",
  parse(raw, baseDir) {
    if (typeof raw !== "string" || raw.trim() === "" || raw.trim() === "unix://") {
      return { ok: false, message: `expected ${unixSocket.expected}` };
    }
    return path.parse(raw.trim().replace(/^unix:\/\//, ""), baseDir);
  },
};

/**
 * The reference plugin's `Socket`: only a value starting with `unix://` means a socket; anything else
 * made the Go plugin listen on TCP, so it is reported and ignored.
 */
export const referenceSocket: ValueParser<string | undefined> = {
  expected: "'unix:///path'",
  parse(raw, baseDir) {
    if (typeof raw !== "string") {
      return { ok: false, message: "expected 'unix:///path'" };
    }
    if (!raw.trim().startsWith("unix://")) {
      return {
        ok: true,
        value: undefined,
        warning:
          "ignored: it does not start with unix://, so the plugin listens on TCP (as the reference plugin did)",
      };
    }
    return unixSocket.parse(raw, baseDir);
  },
};

/** A Docker endpoint address. */
export const dockerHost = fromZod(
  "a Docker address like 'unix:///var/run/docker.sock' or 'tcp://host:2376'",
  z
    .string()
    .trim()
    .regex(/^(unix:\/\/\/.+|\/.+|(tcp|http|https):\/\/[^/\s]+\/?)$/)
    .transform((value) => (value.startsWith("/") ? `unix://${value}` : value)),
);

export const cidrList = stringList("CIDRs like '10.0.0.0/8'", z.union([z.cidrv4(), z.cidrv6()]));

export const absolutePathList = stringList(
  "absolute paths",
  z
    .string()
    .trim()
    .refine((value) => isAbsolute(value)),
);

/** Resource name → host device paths. From YAML a mapping of lists; from the environment a JSON object. */
export const deviceMap = fromZod(
  "a mapping of resource names to lists of absolute device paths (JSON in an environment variable)",
  z
    .union([
      z.record(z.string(), z.unknown()),
      z.string().transform((value, ctx) => {
        try {
          return JSON.parse(value) as unknown;
        } catch {
          ctx.addIssue({ code: "custom", message: "not JSON" });
          return z.NEVER;
        }
      }),
    ])
    .pipe(
      z.record(
        z.string().min(1),
        z
          .union([
            z.array(z.string()),
            z.string().transform((value) => value.split(",").map((part) => part.trim())),
          ])
          .pipe(
            z.array(
              z
                .string()
                .min(1)
                .refine((value) => isAbsolute(value)),
            ),
          ),
      ),
    ),
);
