import { readFileSync } from "node:fs";
import { hostname } from "node:os";
import { z } from "zod";
import { DEFAULT_PLATFORM_TABLES, type PlatformTables, platformTablesSchema } from "../contract/platforms.js";
import { findJsonSyntaxProblem } from "../lib/json-syntax.js";
import type { RateWindow } from "../lib/rate-window.js";
import { isoDate as ISO_DATE, SETTINGS, type SettingName } from "./settings.js";
import { readTlsMaterial, type TlsFiles, type TlsMaterial } from "./tls.js";

export { V2_RATE_LIMITS, windowText } from "./settings.js";

/** `2027-06-30`, or a full ISO 8601 time with its offset, as the date settings and the migration plan read it. */
export const isoDate = ISO_DATE.schema;

// Every setting comes from the environment and is checked here, at start, so a bad value
// stops the start with a message naming the variable. Loading is two steps: the variables
// are read and checked (pure: the schemas of settings.ts, and the checks between them
// below), then `settle` reads the files they name and takes what the host says.

type Declared = typeof SETTINGS;

/** The settings of capture besides its folder, which alone turns it on. */
const CAPTURE_DETAILS = [
  "SHIM_CAPTURE_SAMPLE_RATE",
  "SHIM_CAPTURE_ACCOUNTS",
  "SHIM_CAPTURE_MAX_FILE_BYTES",
  "SHIM_CAPTURE_RETENTION_DAYS",
] as const;

const envSchema = z
  .object(
    Object.fromEntries(Object.entries(SETTINGS).map(([name, setting]) => [name, setting.schema])) as {
      [N in SettingName]: Declared[N]["schema"];
    },
  )
  .superRefine((env, ctx) => {
    if (env.NODE_ENV === "production" && !env.DIGICERT_API_URL) {
      ctx.addIssue({
        code: "custom",
        path: ["DIGICERT_API_URL"],
        message: "is required when NODE_ENV=production; the built-in sandbox places no real orders",
      });
    }
    if (env.SHIM_REQUEST_TIMEOUT_MS <= env.SHIM_HEADERS_TIMEOUT_MS) {
      ctx.addIssue({ code: "custom", path: ["SHIM_REQUEST_TIMEOUT_MS"], message: "must be longer than SHIM_HEADERS_TIMEOUT_MS" });
    }
    if (!env.SHIM_TLS_CERT_FILE !== !env.SHIM_TLS_KEY_FILE) {
      const [given, missing] = env.SHIM_TLS_CERT_FILE
        ? ["SHIM_TLS_CERT_FILE", "SHIM_TLS_KEY_FILE"]
        : ["SHIM_TLS_KEY_FILE", "SHIM_TLS_CERT_FILE"];
      ctx.addIssue({ code: "custom", path: [missing], message: `is required with ${given}: the certificate and its key go together` });
    }
    if (env.SHIM_TLS_CA_FILE && !env.SHIM_TLS_CERT_FILE) {
      ctx.addIssue({
        code: "custom",
        path: ["SHIM_TLS_CA_FILE"],
        message: "needs SHIM_TLS_CERT_FILE and SHIM_TLS_KEY_FILE: client certificates are asked for over TLS",
      });
    }
    // One place says an account's dates: the file, which SIGHUP reads again, or else the variables, which it cannot.
    for (const variable of ["SHIM_DEPRECATION_DATE", "SHIM_SUNSET_DATE", "SHIM_MIGRATION_URL"] as const) {
      if (env.SHIM_MIGRATION_PLAN_FILE && env[variable] !== undefined) {
        ctx.addIssue({
          code: "custom",
          path: [variable],
          message: "cannot be set with SHIM_MIGRATION_PLAN_FILE: write it in the plan's default instead",
        });
      }
    }
    if (!env.SHIM_CAPTURE_DIR) {
      for (const name of CAPTURE_DETAILS) {
        if (env[name] !== undefined)
          ctx.addIssue({ code: "custom", path: [name], message: "needs SHIM_CAPTURE_DIR: capture is off without it" });
      }
    }
    if (env.SHIM_ADMIN_HOST !== undefined && env.SHIM_ADMIN_PORT === undefined) {
      ctx.addIssue({ code: "custom", path: ["SHIM_ADMIN_HOST"], message: "needs SHIM_ADMIN_PORT: it is where the admin listener binds" });
    }
    if (env.SHIM_ADMIN_PORT !== undefined && env.SHIM_ADMIN_PORT !== 0 && env.SHIM_ADMIN_PORT === env.PORT) {
      ctx.addIssue({
        code: "custom",
        path: ["SHIM_ADMIN_PORT"],
        message: "must differ from PORT: the admin surface gets a listener of its own",
      });
    }
  });

type Vars = z.output<typeof envSchema>;

/** What the start needs to settle the configuration: the host's name, and this process. */
export interface SettleIo {
  hostname(): string;
  pid: number;
}

const PROCESS_IO: SettleIo = { hostname, pid: process.pid };

/**
 * The values that are not one variable's own: the files the settings name, read and
 * checked; what the host says; a default taken from another variable. Each key is a
 * path in Config, as a declaration's `to`. Runs once, after the variables are checked.
 */
function settle(vars: Vars, io: SettleIo, problems: Problem[]) {
  const tlsFiles =
    vars.SHIM_TLS_CERT_FILE && vars.SHIM_TLS_KEY_FILE
      ? { certFile: vars.SHIM_TLS_CERT_FILE, keyFile: vars.SHIM_TLS_KEY_FILE, caFile: vars.SHIM_TLS_CA_FILE }
      : undefined;
  return {
    platforms: vars.SHIM_PLATFORMS_FILE ? readPlatforms(vars.SHIM_PLATFORMS_FILE, problems) : DEFAULT_PLATFORM_TABLES,
    /** Set: the shim serves HTTPS on PORT with this certificate; with a CA, it requires client certificates. */
    tls: tlsFiles && readTls(tlsFiles, problems),
    /** Passthrough: the budget that every key v2 has not accepted yet shares. */
    v2NewKeyRateLimits: (vars.SHIM_V2_NEW_KEY_RATE_LIMITS ?? vars.SHIM_V2_RATE_LIMITS) as RateWindow[],
    /** Names this process in the ledger. */
    "state.replicaId": vars.SHIM_REPLICA_ID ?? `${io.hostname()}:${io.pid}`,
    /** The admin listener binds where the legacy one does unless told otherwise. */
    "admin.host": vars.SHIM_ADMIN_HOST ?? vars.HOST,
    /** Set: legacy requests, the v2 calls they made and their answers are written to this folder (src/capture/). */
    capture: vars.SHIM_CAPTURE_DIR
      ? {
          dir: vars.SHIM_CAPTURE_DIR,
          /** The share of requests captured, 0 to 1. */
          sampleRate: vars.SHIM_CAPTURE_SAMPLE_RATE ?? 1,
          /** Only these accounts' requests; undefined: every request, those without credentials included. */
          accounts: vars.SHIM_CAPTURE_ACCOUNTS,
          /** A file is closed, and the next one begun, once it holds this much. */
          maxFileBytes: vars.SHIM_CAPTURE_MAX_FILE_BYTES ?? 64 * 1024 * 1024,
          /** A file last written longer ago than this is deleted. */
          retentionMs: vars.SHIM_CAPTURE_RETENTION_DAYS ?? 7 * 86_400_000,
        }
      : undefined,
  };
}

interface Problem {
  variable: string;
  message: string;
}

// Config is the declared values at their paths, with what `settle` adds, nested by path.
type Nest<P extends string, V> = P extends `${infer Head}.${infer Rest}` ? { [K in Head]: Nest<Rest, V> } : { [K in P]: V };
type Intersection<U> = (U extends unknown ? (u: U) => void : never) extends (i: infer I) => void ? I : never;
type Merged<T> = T extends Date | readonly unknown[] ? T : T extends object ? { [K in keyof T]: Merged<T[K]> } : T;
type Nested<E> = Intersection<{ [P in keyof E & string]: Nest<P, E[P]> }[keyof E & string]>;
type Placed = { [N in SettingName as NonNullable<Declared[N]["to"]>]: Vars[N] };
type Settled = ReturnType<typeof settle>;

export type Config = Merged<Nested<Omit<Placed, keyof Settled> & Settled>>;

export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

/** An empty variable counts as unset, as shells and compose files often leave them (but see `emptyMeansNone`). */
function setVariables(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).filter((entry): entry is [string, string] => {
      const [name, value] = entry;
      if (value === undefined) return false;
      return value.trim() !== "" || (name in SETTINGS && SETTINGS[name as SettingName].emptyMeansNone === true);
    }),
  );
}

/** `value` at the dotted `path` of `target`, making the objects on the way. */
function place(target: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split(".");
  const last = keys.pop()!;
  let at = target;
  for (const key of keys) {
    at[key] ??= {};
    at = at[key] as Record<string, unknown>;
  }
  at[last] = value;
}

/**
 * The configuration from `env`: each variable read and checked, then settled (files
 * read, keys made). Throws a ConfigError naming each bad variable.
 */
export function loadConfig(env: NodeJS.ProcessEnv, io: SettleIo = PROCESS_IO): Config {
  const parsed = envSchema.safeParse(setVariables(env));
  if (!parsed.success) throw new ConfigError(parsed.error.issues.map(issueText));
  const vars = parsed.data;
  const problems: Problem[] = [];
  const settled = settle(vars, io, problems);
  if (problems.length > 0) throw new ConfigError(problems.map((p) => `${p.variable} ${p.message}`));
  const config: Record<string, unknown> = {};
  for (const [name, setting] of Object.entries(SETTINGS)) {
    if (setting.to) place(config, setting.to, vars[name as SettingName]);
  }
  for (const [path, value] of Object.entries(settled)) place(config, path, value);
  return config as Config;
}

/** Where each variable's value comes from, as `v1-shim config` shows it. */
export type Source = "set" | "default" | "unset";

/** Each declared variable as `env` sets it: its text (the default's when unset), and where that came from. */
export function effectiveSettings(env: NodeJS.ProcessEnv): { name: SettingName; text: string | undefined; source: Source }[] {
  const set = setVariables(env);
  return (Object.keys(SETTINGS) as SettingName[]).map((name) => {
    const text = set[name];
    if (text !== undefined) return { name, text, source: "set" };
    const fallback = SETTINGS[name].default;
    return fallback === undefined ? { name, text: undefined, source: "unset" } : { name, text: fallback, source: "default" };
  });
}

/** A zod issue as a line of a ConfigError: where, then what. */
const issueText = (issue: z.core.$ZodIssue): string => `${issue.path.join(".")} ${issue.message}`;

/**
 * A file the operator names in a setting, as JSON, or why it cannot be read as
 * such. The problem says where the file breaks and what JSON expected, and never
 * quotes it: a file named by mistake may hold a secret, such as a v2 key.
 */
export function readJsonFile(path: string): { content: unknown } | { problem: string } {
  let text: string;
  try {
    // Editors on Windows may start a file with a byte order mark, which JSON does not allow.
    text = readFileSync(path, "utf8").replace(/^\uFEFF/, "");
  } catch (error) {
    const code = error instanceof Error && "code" in error ? String(error.code) : "unknown error";
    return { problem: `cannot be read (${path}): ${code}` };
  }
  try {
    return { content: JSON.parse(text) };
  } catch {
    const where = findJsonSyntaxProblem(text);
    const detail = where ? `line ${where.line}, column ${where.column}: expected ${where.expected}` : "it is not valid JSON";
    return { problem: `cannot be read as JSON (${path}): ${detail}` };
  }
}

function readPlatforms(path: string, problems: Problem[]): PlatformTables {
  const problem = (message: string) => {
    problems.push({ variable: "SHIM_PLATFORMS_FILE", message });
    return DEFAULT_PLATFORM_TABLES;
  };
  const file = readJsonFile(path);
  if ("problem" in file) return problem(file.problem);
  const tables = platformTablesSchema.safeParse(file.content);
  return tables.success ? tables.data : problem(tables.error.issues.map(issueText).join("; "));
}

function readTls(files: TlsFiles, problems: Problem[]): { files: TlsFiles; material: TlsMaterial } | undefined {
  const read = readTlsMaterial(files);
  if ("material" in read) return { files, material: read.material };
  problems.push(...read.problems);
  return undefined;
}
