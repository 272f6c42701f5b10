import { hash } from "node:crypto";
import { z } from "zod";
import { isoDate } from "../config/config.js";

// The migration plan (SHIM_MIGRATION_PLAN_FILE): how each legacy account is
// retired, in stages: a deprecation date, brownouts (windows in which a share of
// its calls is refused), and a sunset, after which its calls are served on or
// refused. Pure: every function here takes the time it judges at.

/** A brownout's edges: a time with its offset, since a window of an hour must say which hour. */
const instant = z.iso
  .datetime({ offset: true, error: "must be an ISO 8601 time with its offset, such as 2027-02-01T14:00:00Z" })
  .transform((text) => Date.parse(text));

const brownoutSchema = z
  .strictObject({
    start: instant,
    end: instant,
    share: z.number({ error: "must be a number more than 0 and at most 1" }).gt(0).max(1).default(1),
  })
  .refine((window) => window.end > window.start, { path: ["end"], message: "must be after start" });

const AFTER_SUNSET = ["serve", "refuse"] as const;

/** An account's entry, or the default: each field it leaves out is the default's. */
const entrySchema = z.strictObject({
  deprecation: isoDate.optional(),
  sunset: isoDate.optional(),
  migration_url: z.url({ protocol: /^https?$/, error: "must be an http(s) URL" }).optional(),
  brownouts: z.array(brownoutSchema).optional(),
  after_sunset: z.enum(AFTER_SUNSET, { error: 'must be "serve" or "refuse"' }).optional(),
});
type Entry = z.output<typeof entrySchema>;

const accountIdSchema = z
  .string()
  .min(1, "may not be empty")
  .regex(/^[^:]+$/, "may not contain a colon: it is the Basic user name");

const planFileSchema = z.strictObject({
  default: entrySchema.default({}),
  accounts: z.record(accountIdSchema, entrySchema).default({}),
});

/** Times are epoch milliseconds. */
export interface Brownout {
  start: number;
  end: number;
  /** The share of the account's calls refused during the window, more than 0 and at most 1. */
  share: number;
}

/** One account's stages, the default's filled in. */
export interface Stages {
  deprecation: number | undefined;
  sunset: number | undefined;
  migrationUrl: string | undefined;
  /** By start; no two overlap. */
  brownouts: readonly Brownout[];
  afterSunset: (typeof AFTER_SUNSET)[number];
  /** What every v1 answer to the account carries (RFC 9745 Deprecation, RFC 8594 Sunset, the Link to the guide). */
  headers: Readonly<Record<string, string>>;
  /** Whether any call can ever be refused: most accounts have no brownout and are served after their sunset. */
  enforced: boolean;
}

export interface MigrationPlan {
  /** For every account the plan does not list. */
  default: Stages;
  accounts: ReadonlyMap<string, Stages>;
}

/** The account's stages, or the default's for an account the plan does not list (or a request without one). */
export const stagesOf = (plan: MigrationPlan, accountId: string | undefined): Stages =>
  (accountId === undefined ? undefined : plan.accounts.get(accountId)) ?? plan.default;

/** The three signals, each only when its value is set. */
function signals(deprecation: number | undefined, sunset: number | undefined, url: string | undefined): Record<string, string> {
  const headers: Record<string, string> = {};
  if (deprecation !== undefined) headers.Deprecation = `@${Math.floor(deprecation / 1000)}`;
  if (sunset !== undefined) headers.Sunset = new Date(sunset).toUTCString();
  if (url !== undefined) headers.Link = `<${url}>; rel="deprecation"; type="text/html"`;
  return headers;
}

function resolve(entry: Entry, base: Entry): Stages {
  const deprecation = (entry.deprecation ?? base.deprecation)?.getTime();
  const sunset = (entry.sunset ?? base.sunset)?.getTime();
  const migrationUrl = entry.migration_url ?? base.migration_url;
  const brownouts = [...(entry.brownouts ?? base.brownouts ?? [])].sort((a, b) => a.start - b.start);
  const afterSunset = entry.after_sunset ?? base.after_sunset ?? "serve";
  return {
    deprecation,
    sunset,
    migrationUrl,
    brownouts,
    afterSunset,
    headers: signals(deprecation, sunset, migrationUrl),
    enforced: brownouts.length > 0 || afterSunset === "refuse",
  };
}

/** What makes a resolved entry unusable, by field: a plan the shim could not explain to a refused client. */
function inconsistencies(stages: Stages, entry: Entry, base: Entry): { field: string; message: string }[] {
  const problems: { field: string; message: string }[] = [];
  if (stages.deprecation !== undefined && stages.sunset !== undefined && stages.sunset < stages.deprecation) {
    problems.push({ field: "sunset", message: "must not be before deprecation" });
  }
  if (stages.afterSunset === "refuse" && stages.sunset === undefined) {
    problems.push({ field: "after_sunset", message: '"refuse" needs a sunset date' });
  }
  if (stages.enforced && stages.migrationUrl === undefined) {
    problems.push({
      field: "migration_url",
      message: 'is needed (here or in default) with brownouts or after_sunset "refuse": a refused client is told where to go',
    });
  }
  // Each window against every one before it (by start), named by its index as the entry wrote it.
  const written = entry.brownouts ?? base.brownouts ?? [];
  let endSoFar = -Infinity;
  for (const i of [...written.keys()].sort((a, b) => written[a]!.start - written[b]!.start)) {
    if (written[i]!.start < endSoFar) problems.push({ field: `brownouts[${i}].start`, message: "overlaps another brownout" });
    endSoFar = Math.max(endSoFar, written[i]!.end);
  }
  return problems;
}

/** `default sunset`, `account 001007 brownouts[0].end`, `the file`: where a problem is, never what the file holds there. */
function where(path: readonly PropertyKey[]): string {
  const [top, ...rest] = path;
  let head: string;
  if (top === undefined) return "the file";
  if (top === "accounts" && rest.length > 0) head = `account ${String(rest.shift())}`;
  else head = String(top);
  const field = rest.map((part, i) => (typeof part === "number" ? `[${part}]` : `${i === 0 ? "" : "."}${String(part)}`)).join("");
  return field ? `${head} ${field}` : head;
}

function issueText(issue: z.core.$ZodIssue): string {
  const message = issue.code === "invalid_key" ? `the account id ${issue.issues.map((inner) => inner.message).join("; ")}` : issue.message;
  return `${where(issue.path)}: ${message}`;
}

/**
 * The plan a file's JSON describes, or every problem with it at once, each
 * naming the account and the field.
 */
export function parsePlan(content: unknown): MigrationPlan | { problems: string[] } {
  const parsed = planFileSchema.safeParse(content);
  if (!parsed.success) return { problems: parsed.error.issues.map(issueText) };
  const base = parsed.data.default;
  const defaultStages = resolve(base, {});
  const ownProblems = inconsistencies(defaultStages, base, {});
  const problems = ownProblems.map(({ field, message }) => `default ${field}: ${message}`);
  const accounts = new Map<string, Stages>();
  for (const [accountId, entry] of Object.entries(parsed.data.accounts)) {
    const stages = resolve(entry, base);
    accounts.set(accountId, stages);
    // What the account inherits broken is said once, at the default.
    for (const { field, message } of inconsistencies(stages, entry, base)) {
      if (!ownProblems.some((p) => p.field === field && p.message === message)) problems.push(`account ${accountId} ${field}: ${message}`);
    }
  }
  return problems.length > 0 ? { problems } : { default: defaultStages, accounts };
}

/** SHIM_DEPRECATION_DATE, SHIM_SUNSET_DATE and SHIM_MIGRATION_URL: a plan of a default alone, without brownouts, served after its sunset. */
export function planOfSettings(settings: {
  deprecationDate?: Date | undefined;
  sunsetDate?: Date | undefined;
  migrationUrl?: string | undefined;
}): MigrationPlan {
  const entry: Entry = { deprecation: settings.deprecationDate, sunset: settings.sunsetDate, migration_url: settings.migrationUrl };
  return { default: resolve(entry, {}), accounts: new Map() };
}

export const STAGES = ["active", "deprecated", "brownout", "sunset"] as const;
/** Where an account stands: before its deprecation, after it, in one of its brownouts, past its sunset. */
export type Stage = (typeof STAGES)[number];

const sunsetPassed = (stages: Stages, now: number) => stages.sunset !== undefined && now >= stages.sunset;

/** The stage at `now`, the brownout it is in, and the next one to come. A sunset that refuses ends the brownouts. */
export function stageAt(stages: Stages, now: number): { stage: Stage; brownout: Brownout | undefined; next: Brownout | undefined } {
  if (sunsetPassed(stages, now) && stages.afterSunset === "refuse") return { stage: "sunset", brownout: undefined, next: undefined };
  const brownout = stages.brownouts.find((window) => window.start <= now && now < window.end);
  const next = stages.brownouts.find((window) => window.start > now);
  let stage: Stage = "active";
  if (brownout) stage = "brownout";
  else if (sunsetPassed(stages, now)) stage = "sunset";
  else if (stages.deprecation !== undefined && now >= stages.deprecation) stage = "deprecated";
  return { stage, brownout, next };
}

/** What the plan does to a call of the account at `now`: refuse it (after a sunset that refuses), judge it (in a brownout), or nothing. */
export type Enforcement = { kind: "sunset" } | { kind: "brownout"; window: Brownout };

export function enforcementAt(stages: Stages, now: number): Enforcement | undefined {
  if (!stages.enforced) return undefined;
  const { stage, brownout } = stageAt(stages, now);
  if (stage === "sunset" && stages.afterSunset === "refuse") return { kind: "sunset" };
  return brownout && { kind: "brownout", window: brownout };
}

/**
 * Whether a call falls in the window's refused share: a digest of the account,
 * the window and the call's basis (what a client's retry of it keeps), read as a
 * number from 0 to 1. So a retry is judged as the call it repeats, on any
 * replica, and each window draws its share afresh.
 */
export function inRefusedShare(accountId: string, window: Brownout, basis: string): boolean {
  if (window.share >= 1) return true;
  const digest = hash("sha256", `${accountId}\n${window.start}\n${basis}`);
  return Number.parseInt(digest.slice(0, 12), 16) / 2 ** 48 < window.share;
}

/** `2027-02-01T15:00:00Z`: a plan's times, as people write them. */
export const isoTime = (ms: number): string => new Date(ms).toISOString().replace(".000Z", "Z");

const windowReport = (window: Brownout | undefined) =>
  window ? { start: isoTime(window.start), end: isoTime(window.end), share: window.share } : null;

/** An account's stage at `now` and its plan, as the clients view, the dashboard and `v1-shim plan --json` show it. */
export function stageReport(stages: Stages, now: number) {
  const { stage, brownout, next } = stageAt(stages, now);
  const time = (ms: number | undefined) => (ms === undefined ? null : isoTime(ms));
  return {
    stage,
    deprecation: time(stages.deprecation),
    sunset: time(stages.sunset),
    after_sunset: stages.afterSunset,
    migration_url: stages.migrationUrl ?? null,
    brownout: windowReport(brownout),
    next_brownout: windowReport(next),
  };
}
export type StageReport = ReturnType<typeof stageReport>;

const percent = (share: number) => `${Math.round(share * 100)} %`;

/** `now, until 2027-02-01T15:00:00Z (100 % refused)`, `next … to … (50 %)` or `none to come`: a stage's brownouts in a few words. */
export function brownoutsText(report: StageReport): string {
  if (report.brownout) return `now, until ${report.brownout.end} (${percent(report.brownout.share)} refused)`;
  if (report.next_brownout)
    return `next ${report.next_brownout.start} to ${report.next_brownout.end} (${percent(report.next_brownout.share)})`;
  return "none to come";
}
