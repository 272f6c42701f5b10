import { readFileSync } from "node:fs";
import { hostname } from "node:os";
import { z } from "zod";
import { DEFAULT_PLATFORM_TABLES, type PlatformTables, platformTablesSchema } from "../contract/platforms.js";
import { findJsonSyntaxProblem } from "../lib/json-syntax.js";
import type { RateWindow } from "../lib/rate-window.js";
import { readTlsMaterial, type TlsFiles, type TlsMaterial } from "./tls.js";

// Every setting comes from the environment and is checked here, at start, so a
// bad value stops the start with a message naming the variable.

const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;

const DURATION_UNITS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;

/** What v2 allows each API key: 100 calls in any 5 seconds, 1000 in any 3 minutes. */
export const V2_RATE_LIMITS: readonly RateWindow[] = [
  { limit: 100, windowMs: 5_000 },
  { limit: 1000, windowMs: 180_000 },
];

/** `100/5s,1000/3m`: at most 100 calls in any 5 seconds and 1000 in any 3 minutes; `off` for none. */
const rateWindowsSchema = z.string().transform((text, ctx) => {
  if (text.trim().toLowerCase() === "off") return [];
  return text.split(",").map((part) => {
    const match = part.trim().match(/^(\d+)\/(\d+)(ms|s|m|h)$/);
    if (!match || Number(match[1]) < 1 || Number(match[2]) < 1) {
      ctx.addIssue({ code: "custom", message: `must be windows such as 100/5s,1000/3m, or off (not "${part.trim()}")` });
      return { limit: 0, windowMs: 0 };
    }
    return { limit: Number(match[1]), windowMs: Number(match[2]) * DURATION_UNITS[match[3] as keyof typeof DURATION_UNITS] };
  });
});

/** `2027-06-30`, or a full ISO 8601 time with its offset. */
const isoDate = z
  .union([z.iso.date(), z.iso.datetime({ offset: true })], { error: "must be an ISO 8601 date such as 2027-06-30" })
  .transform((text) => new Date(text));

/** `/clients/rest/api,/other`: where else the legacy surface is served; empty for the root only. */
const basePathsSchema = z.string().transform((text, ctx) =>
  text
    .split(",")
    .map((part) => part.trim())
    .filter((part) => {
      if (part === "") return false;
      if (/^(\/[\w.~-]+)+$/.test(part)) return true;
      ctx.addIssue({ code: "custom", message: `must be paths such as /clients/rest/api, without a trailing slash (not "${part}")` });
      return false;
    }),
);

/** Where empty means "none" rather than "unset": the default is a value, and an operator may want none. */
const EMPTY_MEANS_NONE = ["SHIM_BASE_PATHS"];

const milliseconds = (fallback: number) => z.coerce.number().int().positive().default(fallback);

const days = (fallback: number) => z.coerce.number().int().min(1).max(3650).default(fallback);

const DAY_MS = 86_400_000;

/**
 * Where the shim keeps its state: `memory`, `sqlite:PATH`, or `redis://HOST:PORT[/DB]`
 * (`rediss://` for TLS). The message never quotes the value, which may hold a Redis password.
 */
const stateSchema = z.string().transform((text, ctx) => {
  const problem = () => {
    ctx.addIssue({ code: "custom", message: "must be memory, sqlite:PATH, or redis://HOST:PORT[/DB] (rediss:// for TLS)" });
    return z.NEVER;
  };
  if (text === "memory") return { backend: "memory" as const };
  if (text.startsWith("sqlite:")) return text.length > "sqlite:".length ? { backend: "sqlite" as const, path: text.slice(7) } : problem();
  if (!/^rediss?:\/\//.test(text)) return problem();
  try {
    const url = new URL(text);
    return url.hostname && /^\/?(\d{1,2})?$/.test(url.pathname) && !url.search && !url.hash
      ? { backend: "redis" as const, url: text }
      : problem();
  } catch {
    return problem();
  }
});

const booleanText = z.enum(["true", "false"], { error: "must be true or false" }).transform((text) => text === "true");

const envSchema = z
  .object({
    PORT: z.coerce.number().int().min(0).max(65535).default(8080),
    HOST: z.string().optional(),
    NODE_ENV: z.string().optional(),
    DIGICERT_API_URL: z
      .url({ protocol: /^https?$/, error: "must be an http(s) URL such as https://www.digicert.com/services/v2" })
      .optional(),
    DIGICERT_API_KEY: z.string().optional(),
    SHIM_ORDER_ID_FORMAT: z.enum(["number", "padded"]).default("number"),
    SHIM_BASE_PATHS: basePathsSchema.default(["/clients/rest/api"]),
    SHIM_PLATFORMS_FILE: z.string().optional(),
    SHIM_UPSTREAM_TIMEOUT_MS: milliseconds(30_000),
    SHIM_DEADLINE_MS: milliseconds(55_000),
    SHIM_UPSTREAM_ATTEMPTS: z.coerce.number().int().min(1).max(10).default(3),
    SHIM_RETRY_BASE_MS: milliseconds(250),
    SHIM_RETRY_AFTER_CAP_MS: milliseconds(10_000),
    SHIM_RETRY_WINDOW_MS: z.coerce.number().int().min(0).default(600_000),
    SHIM_RECONCILE_INTERVAL_MS: z.coerce.number().int().min(0).default(30_000),
    SHIM_RECONCILE_FOR_MS: milliseconds(3_600_000),
    SHIM_RETRY_FINGERPRINT_KEY: z.string().min(32, "must be at least 32 characters").optional(),
    SHIM_V2_RATE_LIMITS: rateWindowsSchema.default(() => [...V2_RATE_LIMITS]),
    SHIM_PACE_MAX_WAIT_MS: z.coerce.number().int().min(0).default(2_000),
    SHIM_MAX_BODY_BYTES: z.coerce.number().int().min(1024).default(65_536),
    SHIM_MAX_XML_BODY_BYTES: z.coerce.number().int().min(1024).default(16_384),
    SHIM_HEADERS_TIMEOUT_MS: milliseconds(10_000),
    SHIM_REQUEST_TIMEOUT_MS: milliseconds(30_000),
    SHIM_ACCOUNTS_FILE: z.string().optional(),
    SHIM_AUTH_CACHE_TTL_MS: z.coerce.number().int().min(0).default(60_000),
    SHIM_ADMIN_TOKEN: z.string().min(16, "must be at least 16 characters").optional(),
    SHIM_DEPRECATION_DATE: isoDate.optional(),
    SHIM_SUNSET_DATE: isoDate.optional(),
    SHIM_MIGRATION_URL: z.url({ protocol: /^https?$/, error: "must be an http(s) URL" }).optional(),
    SHIM_SANDBOX_ISSUE_AFTER_MS: z.coerce.number().int().min(0).default(10_000),
    SHIM_SANDBOX_MAX_YEARS: z.coerce.number().int().min(1).max(3).default(3),
    SHIM_TLS_CERT_FILE: z.string().optional(),
    SHIM_TLS_KEY_FILE: z.string().optional(),
    SHIM_TLS_CA_FILE: z.string().optional(),
    OTEL_EXPORTER_OTLP_ENDPOINT: z.url({ protocol: /^https?$/, error: "must be an http(s) URL such as http://collector:4318" }).optional(),
    SHIM_STATE: stateSchema.default({ backend: "sqlite", path: "./data/shim-state.db" }),
    SHIM_STATE_REQUIRED: booleanText.default(false),
    SHIM_CLIENTS_RETENTION_DAYS: days(90),
    SHIM_LEDGER_RETENTION_DAYS: days(30),
    SHIM_REPLICA_ID: z
      .string()
      .regex(/^[\w.:-]{1,64}$/, "must be at most 64 letters, digits and . _ : -")
      .default(`${hostname()}:${process.pid}`),
    SHIM_V2_NEW_KEY_RATE_LIMITS: rateWindowsSchema.optional(),
    SHIM_TRUST_PROXY_HOPS: z.coerce.number().int().min(0).max(10).default(0),
    LOG_LEVEL: z.enum(LOG_LEVELS).default("info"),
  })
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
  });

export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

const configSchema = envSchema.transform((vars, ctx) => ({
  port: vars.PORT,
  host: vars.HOST,
  /** Undefined: the built-in sandbox stands in for v2. */
  digicertApiUrl: vars.DIGICERT_API_URL,
  /** A v2 key for `v1-shim doctor` to check in passthrough mode; the server itself takes each client's. */
  digicertApiKey: vars.DIGICERT_API_KEY,
  orderIdFormat: vars.SHIM_ORDER_ID_FORMAT,
  /** Prefixes the legacy surface is served under besides the root. */
  basePaths: vars.SHIM_BASE_PATHS,
  platforms: vars.SHIM_PLATFORMS_FILE ? readPlatforms(vars.SHIM_PLATFORMS_FILE, ctx) : DEFAULT_PLATFORM_TABLES,
  retry: {
    /** Sends of one order, and look-ups, at most. */
    attempts: vars.SHIM_UPSTREAM_ATTEMPTS,
    /** One v2 call at most. */
    timeoutMs: vars.SHIM_UPSTREAM_TIMEOUT_MS,
    /** From the start of a request's v2 work to the client's answer, retries and waits included. */
    deadlineMs: vars.SHIM_DEADLINE_MS,
    retryBaseMs: vars.SHIM_RETRY_BASE_MS,
    retryAfterCapMs: vars.SHIM_RETRY_AFTER_CAP_MS,
    paceMaxWaitMs: vars.SHIM_PACE_MAX_WAIT_MS,
  },
  retryWindow: {
    /** A client's identical order within this long is its retry, answered with the earlier order; 0: off. */
    windowMs: vars.SHIM_RETRY_WINDOW_MS,
    /** Keys the requests' fingerprints; unset, the first replica makes one and keeps it in the state store, for all. */
    fingerprintKey: vars.SHIM_RETRY_FINGERPRINT_KEY,
  },
  reconcile: {
    /** Accounts mode: how often each replica looks up the ledger's unknown orders; 0: never. */
    intervalMs: vars.SHIM_RECONCILE_INTERVAL_MS,
    /** An unknown order the reconciler has not settled this long after it was placed is left to an operator. */
    forMs: vars.SHIM_RECONCILE_FOR_MS,
  },
  v2RateLimits: vars.SHIM_V2_RATE_LIMITS,
  /** Passthrough: the budget that every key v2 has not accepted yet shares. */
  v2NewKeyRateLimits: vars.SHIM_V2_NEW_KEY_RATE_LIMITS ?? vars.SHIM_V2_RATE_LIMITS,
  maxBodyBytes: vars.SHIM_MAX_BODY_BYTES,
  /** XML bodies: an order is under 2 KiB, and parsing XML costs far more than reading JSON. */
  maxXmlBodyBytes: vars.SHIM_MAX_XML_BODY_BYTES,
  headersTimeoutMs: vars.SHIM_HEADERS_TIMEOUT_MS,
  requestTimeoutMs: vars.SHIM_REQUEST_TIMEOUT_MS,
  /** Set: accounts mode, with the legacy accounts and their v2 keys from this file. */
  accountsFile: vars.SHIM_ACCOUNTS_FILE,
  authCacheTtlMs: vars.SHIM_AUTH_CACHE_TTL_MS,
  /** Set: GET /_shim/clients answers to this bearer token; unset, it does not exist. */
  adminToken: vars.SHIM_ADMIN_TOKEN,
  deprecationDate: vars.SHIM_DEPRECATION_DATE,
  sunsetDate: vars.SHIM_SUNSET_DATE,
  migrationUrl: vars.SHIM_MIGRATION_URL,
  /** In the sandbox, how long an order stays pending before it is issued. */
  sandboxIssueAfterMs: vars.SHIM_SANDBOX_ISSUE_AFTER_MS,
  /** In the sandbox, the longest order_validity.years it takes; longer is refused as v2 would refuse it. */
  sandboxMaxYears: vars.SHIM_SANDBOX_MAX_YEARS,
  /** Set: the shim serves HTTPS on PORT with this certificate; with a CA, it requires client certificates. */
  tls:
    vars.SHIM_TLS_CERT_FILE && vars.SHIM_TLS_KEY_FILE
      ? readTls({ certFile: vars.SHIM_TLS_CERT_FILE, keyFile: vars.SHIM_TLS_KEY_FILE, caFile: vars.SHIM_TLS_CA_FILE }, ctx)
      : undefined,
  /** Set: OpenTelemetry tracing, exported over OTLP/HTTP; the other OTEL_* variables are the SDK's to read. */
  otlpEndpoint: vars.OTEL_EXPORTER_OTLP_ENDPOINT,
  logLevel: vars.LOG_LEVEL,
  state: {
    spec: vars.SHIM_STATE,
    /** Fail closed: while the store is down, orders are refused (503 state_unavailable) rather than placed. */
    required: vars.SHIM_STATE_REQUIRED,
    clientsRetentionMs: vars.SHIM_CLIENTS_RETENTION_DAYS * DAY_MS,
    ledgerRetentionMs: vars.SHIM_LEDGER_RETENTION_DAYS * DAY_MS,
    /** Names this process in the ledger. */
    replicaId: vars.SHIM_REPLICA_ID,
  },
  /** How many proxies in front of the shim append to X-Forwarded-For: the client's address is the one before theirs. */
  trustProxyHops: vars.SHIM_TRUST_PROXY_HOPS,
}));

export type Config = z.output<typeof configSchema>;

/** An empty variable counts as unset, as shells and compose files often leave them (but see EMPTY_MEANS_NONE). */
function setVariables(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).filter(
      (entry): entry is [string, string] => !!entry[1]?.trim() || (entry[1] !== undefined && EMPTY_MEANS_NONE.includes(entry[0])),
    ),
  );
}

export function loadConfig(env: NodeJS.ProcessEnv): Config {
  const parsed = configSchema.safeParse(setVariables(env));
  if (!parsed.success) throw new ConfigError(parsed.error.issues.map(issueText));
  return parsed.data;
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

function readPlatforms(path: string, ctx: z.RefinementCtx): PlatformTables {
  const problem = (message: string) => {
    ctx.addIssue({ code: "custom", path: ["SHIM_PLATFORMS_FILE"], message });
    return DEFAULT_PLATFORM_TABLES;
  };
  const file = readJsonFile(path);
  if ("problem" in file) return problem(file.problem);
  const tables = platformTablesSchema.safeParse(file.content);
  return tables.success ? tables.data : problem(tables.error.issues.map(issueText).join("; "));
}

function readTls(files: TlsFiles, ctx: z.RefinementCtx): { files: TlsFiles; material: TlsMaterial } | undefined {
  const read = readTlsMaterial(files);
  if ("material" in read) return { files, material: read.material };
  for (const problem of read.problems) ctx.addIssue({ code: "custom", path: [problem.variable], message: problem.message });
  return undefined;
}
