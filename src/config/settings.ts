import { z } from "zod";
import type { RateWindow } from "../lib/rate-window.js";

// Every environment variable the shim reads, declared once: its group, its kind (the
// schema and the type and range shown for it), the default as an operator would write
// it, one line of meaning, whether it is a secret, and where its value goes in the
// loaded Config. The zod schema, the Config, the README's configuration table,
// deploy/env.example and `v1-shim config` are all derived from this list
// (config.ts, docs.ts). A new variable is one entry here; one whose value needs a
// file read or something made at start also gets its line in config.ts's `settle`.

/** The concerns the settings are grouped by, in the order the docs list them. */
export const GROUPS = {
  serving: "Serving: ports, TLS, limits on requests",
  v2: "v2 and the sandbox",
  legacy: "The legacy surface",
  accounts: "Accounts and the admin surface",
  orders: "Orders: retries, the retry window, the reconciler",
  state: "State",
  observability: "Logs and tracing",
  capture: 'Capture, for replay (see "Capture and replay")',
} as const;

type Group = keyof typeof GROUPS;

/** A variable's text, checked and read: the schema, and how the docs name its type and range. */
interface Kind<S extends z.ZodType> {
  schema: S;
  type: string;
}

const kind = <S extends z.ZodType>(schema: S, type: string): Kind<S> => ({ schema, type });

const DURATION_UNITS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;

/** What v2 allows each API key: 100 calls in any 5 seconds, 1000 in any 3 minutes. */
export const V2_RATE_LIMITS: readonly RateWindow[] = [
  { limit: 100, windowMs: 5_000 },
  { limit: 1000, windowMs: 180_000 },
];

const UNITS_LARGEST_FIRST = Object.entries(DURATION_UNITS).reverse();

/** A window as SHIM_V2_RATE_LIMITS writes it: `1000/3m`. */
export function windowText({ limit, windowMs }: RateWindow): string {
  const [unit, size] = UNITS_LARGEST_FIRST.find(([, ms]) => windowMs % ms === 0) ?? ["ms", 1];
  return `${limit}/${windowMs / size}${unit}`;
}

/** `100/5s,1000/3m`: at most 100 calls in any 5 seconds and 1000 in any 3 minutes; `off` for none. */
const rateWindows = kind(
  z.string().transform((text, ctx) => {
    if (text.trim().toLowerCase() === "off") return [];
    return text.split(",").map((part) => {
      const match = part.trim().match(/^(\d+)\/(\d+)(ms|s|m|h)$/);
      if (!match || Number(match[1]) < 1 || Number(match[2]) < 1) {
        ctx.addIssue({ code: "custom", message: `must be windows such as 100/5s,1000/3m, or off (not "${part.trim()}")` });
        return { limit: 0, windowMs: 0 };
      }
      return { limit: Number(match[1]), windowMs: Number(match[2]) * DURATION_UNITS[match[3] as keyof typeof DURATION_UNITS] };
    });
  }),
  "rate windows `N/DURATION,…` (`ms`, `s`, `m`, `h`), or `off`",
);

/** `2027-06-30`, or a full ISO 8601 time with its offset. */
export const isoDate = kind(
  z
    .union([z.iso.date(), z.iso.datetime({ offset: true })], { error: "must be an ISO 8601 date such as 2027-06-30" })
    .transform((text) => new Date(text)),
  "ISO 8601 date or time",
);

/** `/clients/rest/api,/other`: where else the legacy surface is served; empty for the root only. */
const basePaths = kind(
  z.string().transform((text, ctx) =>
    text
      .split(",")
      .map((part) => part.trim())
      .filter((part) => {
        if (part === "") return false;
        if (/^(\/[\w.~-]+)+$/.test(part)) return true;
        ctx.addIssue({ code: "custom", message: `must be paths such as /clients/rest/api, without a trailing slash (not "${part}")` });
        return false;
      }),
  ),
  "comma-separated paths",
);

/**
 * Where the shim keeps its state: `memory`, `sqlite:PATH`, or `redis://HOST:PORT[/DB]`
 * (`rediss://` for TLS). The message never quotes the value, which may hold a Redis password.
 */
const stateSpec = kind(
  z.string().transform((text, ctx) => {
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
  }),
  "`memory`, `sqlite:PATH`, `redis://…` or `rediss://…`",
);

const integer = (min: number, max: number | undefined, unit = "integer") =>
  kind(
    max === undefined ? z.coerce.number().int().min(min) : z.coerce.number().int().min(min).max(max),
    `${unit}, ${max === undefined ? `${min} or more` : `${min} to ${max}`}`,
  );

/** A duration that must be more than nothing. */
const milliseconds = kind(z.coerce.number().int().positive(), "milliseconds, more than 0");
/** A duration where 0 turns the thing off (or means "at once"). */
const millisecondsOrZero = integer(0, undefined, "milliseconds");
const DAY_MS = 86_400_000;
const days = kind(
  z.coerce
    .number()
    .int()
    .min(1)
    .max(3650)
    .transform((count) => count * DAY_MS),
  "days, 1 to 3650",
);
const boolean = kind(
  z.enum(["true", "false"], { error: "must be true or false" }).transform((text) => text === "true"),
  "`true` or `false`",
);
const oneOf = <const T extends readonly [string, ...string[]]>(values: T) =>
  kind(z.enum(values), values.map((value) => `\`${value}\``).join(", "));
const httpUrl = (error: string) => kind(z.url({ protocol: /^https?$/, error }), "http(s) URL");
const text = kind(z.string(), "text");
const path = kind(z.string(), "file path");
const secret = (min: number) => kind(z.string().min(min, `must be at least ${min} characters`), `text, ${min} characters or more`);

interface Declaration<S extends z.ZodType, D extends string | undefined, T extends string | undefined> {
  group: Group;
  kind: Kind<S>;
  /** The default, as an operator would write it; it is read by the same schema as a value that is set. */
  default?: D;
  /** What the docs say for the default: for a variable without one, what unset means. */
  shownDefault?: string;
  /** One line, in Markdown. */
  meaning: string;
  /** Never printed, logged or shown, not even in part. */
  secret?: boolean;
  /** Empty means "none" rather than "unset": the default is a value, and an operator may want none. */
  emptyMeansNone?: boolean;
  /** Where its value goes in Config, as a dotted path; none when only a check, or `settle`, reads it. */
  to?: T;
}

/** A declaration with the schema that reads the variable: its default applied before parsing, as if it were set. */
export type Setting<
  S extends z.ZodType = z.ZodType,
  D extends string | undefined = string | undefined,
  T extends string | undefined = string | undefined,
> = Declaration<S, D, T> & {
  schema: D extends string ? z.ZodPrefault<S> : z.ZodOptional<S>;
};

function setting<S extends z.ZodType, const D extends string | undefined = undefined, const T extends string | undefined = undefined>(
  declaration: Declaration<S, D, T>,
): Setting<S, D, T> {
  const { schema } = declaration.kind;
  return {
    ...declaration,
    schema: (declaration.default === undefined ? schema.optional() : schema.prefault(declaration.default as z.input<S>)) as Setting<
      S,
      D,
      T
    >["schema"],
  };
}

const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;

/** `001007,001008`: legacy account ids. */
const accountIds = kind(
  z.string().transform((text, ctx) => {
    const ids = text
      .split(",")
      .map((part) => part.trim())
      .filter((part) => part !== "");
    if (ids.length === 0 || ids.some((id) => id.includes(":"))) {
      ctx.addIssue({ code: "custom", message: "must be legacy account ids separated by commas, such as 001007,001008" });
    }
    return ids;
  }),
  "comma-separated account ids",
);

/** A share of requests: more than none, at most all. */
const share = kind(
  z.coerce
    .number({ error: "must be a number" })
    .gt(0, "must be more than 0 (to capture nothing, leave SHIM_CAPTURE_DIR unset)")
    .max(1, "must be at most 1"),
  "a number more than 0, at most 1",
);

export const SETTINGS = {
  PORT: setting({ group: "serving", kind: integer(0, 65535, "port"), default: "8080", meaning: "Port to serve on.", to: "port" }),
  HOST: setting({ group: "serving", kind: text, shownDefault: "all interfaces", meaning: "Address to bind.", to: "host" }),
  SHIM_ADMIN_PORT: setting({
    group: "serving",
    kind: integer(0, 65535, "port"),
    shownDefault: "unset: on `PORT`",
    meaning:
      'Set: `/metrics`, `/_shim/*` and the dashboard are served on this port only (a second listener, plain HTTP), and `PORT` serves the legacy surface and the probes (see "The admin port").',
    to: "admin.port",
  }),
  SHIM_ADMIN_HOST: setting({
    group: "serving",
    kind: text,
    shownDefault: "as `HOST`",
    meaning: "With `SHIM_ADMIN_PORT`: the address the admin listener binds, e.g. `127.0.0.1` or a pod's internal address.",
    to: "admin.host",
  }),
  SHIM_TLS_CERT_FILE: setting({
    group: "serving",
    kind: path,
    shownDefault: "unset: plain HTTP",
    meaning: "A PEM certificate, its chain after it: the shim serves HTTPS on `PORT` (below). Needs `SHIM_TLS_KEY_FILE`.",
  }),
  SHIM_TLS_KEY_FILE: setting({ group: "serving", kind: path, meaning: "The certificate's private key, PEM, unencrypted." }),
  SHIM_TLS_CA_FILE: setting({
    group: "serving",
    kind: path,
    meaning: "PEM certificates of the authorities whose client certificates the shim accepts: set, every client must present one (mTLS).",
  }),
  SHIM_MAX_BODY_BYTES: setting({
    group: "serving",
    kind: integer(1024, undefined, "bytes"),
    default: "65536",
    meaning: "Largest request body; more is refused with 413 while it is read.",
    to: "maxBodyBytes",
  }),
  SHIM_MAX_XML_BODY_BYTES: setting({
    group: "serving",
    kind: integer(1024, undefined, "bytes"),
    default: "16384",
    meaning:
      "Largest XML request body (an order is under 2 KiB, and XML costs far more to parse than JSON); never more than `SHIM_MAX_BODY_BYTES`.",
    to: "maxXmlBodyBytes",
  }),
  SHIM_HEADERS_TIMEOUT_MS: setting({
    group: "serving",
    kind: milliseconds,
    default: "10000",
    meaning: "A client's request headers must arrive within this (else 408 and the connection is closed).",
    to: "headersTimeoutMs",
  }),
  SHIM_REQUEST_TIMEOUT_MS: setting({
    group: "serving",
    kind: milliseconds,
    default: "30000",
    meaning: "A client's whole request must arrive within this; must be longer than the headers' timeout.",
    to: "requestTimeoutMs",
  }),
  SHIM_TRUST_PROXY_HOPS: setting({
    group: "serving",
    kind: integer(0, 10),
    default: "0",
    meaning:
      "How many proxies (load balancers) in front of the shim append to `X-Forwarded-For`; the client's address, which failed logins are counted by, is the entry they were given. `0`: the connection's peer, and `X-Forwarded-For` is ignored.",
    to: "trustProxyHops",
  }),
  SHIM_SHUTDOWN_GRACE_MS: setting({
    group: "serving",
    kind: millisecondsOrZero,
    default: "5000",
    meaning:
      "On SIGTERM, how long `/readyz` answers `503 draining` while requests are still taken and served, so that load balancers remove the instance before it stops listening (see Shutdown); `0`: stop listening at once.",
    to: "shutdownGraceMs",
  }),
  NODE_ENV: setting({
    group: "v2",
    kind: text,
    shownDefault: "unset",
    meaning: "With `production`, the shim refuses to start without `DIGICERT_API_URL`.",
  }),
  DIGICERT_API_URL: setting({
    group: "v2",
    kind: httpUrl("must be an http(s) URL such as https://www.digicert.com/services/v2"),
    shownDefault: "unset: sandbox",
    meaning:
      "The v2 base URL including `/services/v2`, e.g. `https://www.digicert.com/services/v2` or `https://certcentral.digicert.eu/services/v2`. Unset: the shim runs against its built-in **sandbox**, prints a banner saying so, and places no real orders.",
    to: "digicertApiUrl",
  }),
  DIGICERT_API_KEY: setting({
    group: "v2",
    kind: text,
    shownDefault: "unset",
    meaning: "Only for `v1-shim doctor` in passthrough mode: the v2 key it checks (the server itself sends each client's key).",
    secret: true,
    to: "digicertApiKey",
  }),
  SHIM_UPSTREAM_TIMEOUT_MS: setting({
    group: "v2",
    kind: milliseconds,
    default: "30000",
    meaning: "How long one call to v2 may take.",
    to: "retry.timeoutMs",
  }),
  SHIM_DEADLINE_MS: setting({
    group: "v2",
    kind: milliseconds,
    default: "55000",
    meaning:
      "How long an order's v2 work may take in all, retries and waits included, counted from the request's arrival (its credential check included): the client is answered by then (before the common 60-second client timeout).",
    to: "retry.deadlineMs",
  }),
  SHIM_UPSTREAM_ATTEMPTS: setting({
    group: "v2",
    kind: integer(1, 10),
    default: "3",
    meaning: "How many times one legacy request may send its order to v2, and how many look-ups it may make.",
    to: "retry.attempts",
  }),
  SHIM_RETRY_BASE_MS: setting({
    group: "v2",
    kind: milliseconds,
    default: "250",
    meaning: "First backoff between retries; it doubles each time, with jitter.",
    to: "retry.retryBaseMs",
  }),
  SHIM_RETRY_AFTER_CAP_MS: setting({
    group: "v2",
    kind: milliseconds,
    default: "10000",
    meaning: "The longest wait a v2 `Retry-After` (or a backoff) may impose.",
    to: "retry.retryAfterCapMs",
  }),
  SHIM_V2_RATE_LIMITS: setting({
    group: "v2",
    kind: rateWindows,
    default: V2_RATE_LIMITS.map(windowText).join(","),
    meaning:
      "Calls per API key the shim lets through to v2, as rolling windows; `off` for none. v2's own limits are the default; lower them if other tools share the key.",
    to: "v2RateLimits",
  }),
  SHIM_PACE_MAX_WAIT_MS: setting({
    group: "v2",
    kind: millisecondsOrZero,
    default: "2000",
    meaning: "How long a call may wait for a slot under those limits before the client gets `503 rate_limited`.",
    to: "retry.paceMaxWaitMs",
  }),
  SHIM_V2_NEW_KEY_RATE_LIMITS: setting({
    group: "v2",
    kind: rateWindows,
    shownDefault: "as `SHIM_V2_RATE_LIMITS`",
    meaning: 'Passthrough: the one budget that every key v2 has not yet accepted shares (see "Pacing toward v2").',
  }),
  SHIM_SANDBOX_ISSUE_AFTER_MS: setting({
    group: "v2",
    kind: millisecondsOrZero,
    default: "10000",
    meaning: "In the sandbox, how long an order stays pending before it shows as issued.",
    to: "sandboxIssueAfterMs",
  }),
  SHIM_SANDBOX_MAX_YEARS: setting({
    group: "v2",
    kind: integer(1, 3, "years"),
    default: "3",
    meaning:
      "In the sandbox, the longest `order_validity.years` it takes; a longer order is refused as v2 would refuse it (see Validity, below).",
    to: "sandboxMaxYears",
  }),
  SHIM_BASE_PATHS: setting({
    group: "legacy",
    kind: basePaths,
    default: "/clients/rest/api",
    emptyMeansNone: true,
    meaning:
      "Comma-separated prefixes the legacy surface is also served under (`/clients/rest/api/order/code`), besides the root; empty for none.",
    to: "basePaths",
  }),
  SHIM_ORDER_ID_FORMAT: setting({
    group: "legacy",
    kind: oneOf(["number", "padded"]),
    default: "number",
    meaning:
      '`number`: `{"order_id": 222307}`, as the seed types it. `padded`: `{"order_id": "00222307"}`, as the archived samples print it. The same in `POST /order/code`\'s answer and in order details (below).',
    to: "orderIdFormat",
  }),
  SHIM_PLATFORMS_FILE: setting({
    group: "legacy",
    kind: path,
    shownDefault: "built in: every id → `-1`",
    meaning: "A JSON file replacing the platform tables (below); same shape as `DEFAULT_PLATFORM_TABLES` in `src/contract/platforms.ts`.",
  }),
  SHIM_DEPRECATION_DATE: setting({
    group: "legacy",
    kind: isoDate,
    shownDefault: "unset",
    meaning:
      "Every v1 answer carries `Deprecation: @<epoch seconds>` (RFC 9745). The shorthand for the migration plan's `default.deprecation`; not with `SHIM_MIGRATION_PLAN_FILE`.",
    to: "deprecationDate",
  }),
  SHIM_SUNSET_DATE: setting({
    group: "legacy",
    kind: isoDate,
    shownDefault: "unset",
    meaning:
      "Every v1 answer carries `Sunset: <HTTP date>` (RFC 8594); v1 is served on after it. The shorthand for `default.sunset`; not with `SHIM_MIGRATION_PLAN_FILE`.",
    to: "sunsetDate",
  }),
  SHIM_MIGRATION_URL: setting({
    group: "legacy",
    kind: httpUrl("must be an http(s) URL"),
    shownDefault: "unset",
    meaning:
      'Every v1 answer carries `Link: <url>; rel="deprecation"; type="text/html"`. The shorthand for `default.migration_url`; not with `SHIM_MIGRATION_PLAN_FILE`.',
    to: "migrationUrl",
  }),
  SHIM_MIGRATION_PLAN_FILE: setting({
    group: "legacy",
    kind: path,
    shownDefault: "unset: the three above",
    meaning:
      'A JSON file: the migration plan, account by account (dates, brownouts, a sunset the shim enforces); read again on `SIGHUP`. See "A staged migration, account by account".',
    to: "migrationPlanFile",
  }),
  SHIM_ACCOUNTS_FILE: setting({
    group: "accounts",
    kind: path,
    shownDefault: "unset: passthrough",
    meaning: "A JSON file of legacy accounts: sets the shim in accounts mode (below).",
    to: "accountsFile",
  }),
  SHIM_AUTH_CACHE_TTL_MS: setting({
    group: "accounts",
    kind: millisecondsOrZero,
    default: "60000",
    meaning: "Accounts mode: how long a successful credential check is remembered.",
    to: "authCacheTtlMs",
  }),
  SHIM_ADMIN_TOKEN: setting({
    group: "accounts",
    kind: secret(16),
    shownDefault: "unset",
    meaning:
      "The token for `/_shim/clients`, `/_shim/orders` and the dashboard (Bearer, or Basic with any user name); unset, those endpoints do not exist.",
    secret: true,
    to: "adminToken",
  }),
  SHIM_RETRY_WINDOW_MS: setting({
    group: "orders",
    kind: millisecondsOrZero,
    default: "600000",
    meaning:
      'A client\'s identical order (same credential, same v1 order) within this long of the first is taken as its retry and answered with the first order (see "Client retries"); `0` turns it off: every request without an `Idempotency-Key` is a new order.',
    to: "retryWindow.windowMs",
  }),
  SHIM_RETRY_FINGERPRINT_KEY: setting({
    group: "orders",
    kind: secret(32),
    shownDefault: "unset: kept in the state store",
    meaning:
      "The key of the digest by which retries and `Idempotency-Key`s are recognised. Unset, the first replica makes one and keeps it in the state store, which every replica on that store (and every restart) then uses; set it to choose it yourself, the same on every replica. On `SHIM_STATE=memory` an unset key lives in the process.",
    secret: true,
    to: "retryWindow.fingerprintKey",
  }),
  SHIM_RECONCILE_INTERVAL_MS: setting({
    group: "orders",
    kind: millisecondsOrZero,
    default: "30000",
    meaning:
      'Accounts mode: how often each replica looks up the order ledger\'s `unknown` orders in v2 and records what it finds (see "The reconciler"); `0` turns it off.',
    to: "reconcile.intervalMs",
  }),
  SHIM_RECONCILE_FOR_MS: setting({
    group: "orders",
    kind: milliseconds,
    default: "3600000",
    meaning:
      "An `unknown` order the reconciler has not settled this long after it was placed is left to an operator, with an error-level `reconcile` line.",
    to: "reconcile.forMs",
  }),
  SHIM_STATE: setting({
    group: "state",
    kind: stateSpec,
    default: "sqlite:./data/shim-state.db",
    meaning:
      'Where the shim keeps what outlives a request: `sqlite:PATH` (a file on local disk, its folder made at start; `data/` is git-ignored), `redis://[:PASSWORD@]HOST:PORT[/DB]` or `rediss://…` (TLS) to share it between replicas, or `memory` (nothing survives a restart). See "Running several replicas".',
    to: "state.spec",
  }),
  SHIM_STATE_REQUIRED: setting({
    group: "state",
    kind: boolean,
    default: "false",
    meaning:
      "`true`: while the store is down, orders are refused with `503 state_unavailable`, nothing reaches v2, and `/readyz` answers 503 (fail closed). `false`: the shim goes on without it (fail open).",
    to: "state.required",
  }),
  SHIM_LEDGER_RETENTION_DAYS: setting({
    group: "state",
    kind: days,
    default: "30",
    meaning: "How long the order ledger keeps a record.",
    to: "state.ledgerRetentionMs",
  }),
  SHIM_CLIENTS_RETENTION_DAYS: setting({
    group: "state",
    kind: days,
    default: "90",
    meaning: "How long the clients view keeps a caller it has not seen since.",
    to: "state.clientsRetentionMs",
  }),
  SHIM_REPLICA_ID: setting({
    group: "state",
    kind: kind(
      z.string().regex(/^[\w.:-]{1,64}$/, "must be at most 64 letters, digits and . _ : -"),
      "letters, digits, `.` `_` `:` `-`; 64 at most",
    ),
    shownDefault: "`<hostname>:<pid>`",
    meaning: "This process's name in the order ledger.",
  }),
  LOG_LEVEL: setting({
    group: "observability",
    kind: oneOf(LOG_LEVELS),
    default: "info",
    meaning: "How much is logged.",
    to: "logLevel",
  }),
  OTEL_EXPORTER_OTLP_ENDPOINT: setting({
    group: "observability",
    kind: httpUrl("must be an http(s) URL such as http://collector:4318"),
    shownDefault: "unset: no tracing",
    meaning:
      "An OTLP/HTTP collector, e.g. `http://collector:4318`: turns on tracing (below); the other standard `OTEL_*` variables then apply.",
    to: "otlpEndpoint",
  }),
  // Capture's details have no declared default: set without SHIM_CAPTURE_DIR they are refused (config.ts),
  // which a default would make impossible to tell; `settle` applies the defaults shown.
  SHIM_CAPTURE_DIR: setting({
    group: "capture",
    kind: path,
    shownDefault: "unset: no capture",
    meaning:
      'A folder (made when the first record is written, mode 0700): each legacy request is kept there with the v2 calls it made and the answers, for `v1-shim replay` (see "Capture and replay"). Unset: no capture, and it costs a request nothing.',
  }),
  SHIM_CAPTURE_SAMPLE_RATE: setting({
    group: "capture",
    kind: share,
    shownDefault: "`1`",
    meaning: "With `SHIM_CAPTURE_DIR`: the share of requests kept (`0.1`: one in ten, drawn at random).",
  }),
  SHIM_CAPTURE_ACCOUNTS: setting({
    group: "capture",
    kind: accountIds,
    shownDefault: "every request",
    meaning: "With `SHIM_CAPTURE_DIR`: only these legacy accounts' requests are kept (by the Basic credentials' account id).",
  }),
  SHIM_CAPTURE_MAX_FILE_BYTES: setting({
    group: "capture",
    kind: integer(65_536, undefined, "bytes"),
    shownDefault: "`67108864` (64 MiB)",
    meaning: "With `SHIM_CAPTURE_DIR`: a capture file is closed, and the next begun, once it holds this much.",
  }),
  SHIM_CAPTURE_RETENTION_DAYS: setting({
    group: "capture",
    kind: days,
    shownDefault: "`7`",
    meaning: "With `SHIM_CAPTURE_DIR`: capture files last written longer ago are deleted (checked hourly and at each new file).",
  }),
};

export type SettingName = keyof typeof SETTINGS;
