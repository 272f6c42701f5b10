import { randomBytes } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { request } from "undici";
import { hashKey } from "../accounts/key-hash.js";
import { authorizationFor, bodyToSend, type CaptureRecord } from "../capture/record.js";
import { SETTINGS } from "../config/settings.js";
import { Exit, messageOf } from "./exit.js";
import { type Candidate, candidateBundle, startCandidate } from "./replay-candidate.js";
import { type Exchange, exchangeChanges, type FieldChange, notReplayed } from "./replay-compare.js";
import { type ReplayV2, startReplayV2 } from "./replay-v2.js";

export interface ReplayOptions {
  records: readonly CaptureRecord[];
  /** A running shim to replay to; otherwise replay starts `shim` (a build) itself. */
  url?: string | undefined;
  shim?: string | undefined;
  /** The port of replay's v2: with `url`, the shim there must use it as DIGICERT_API_URL for its v2 calls to be compared. */
  v2Port?: number | undefined;
  env: NodeJS.ProcessEnv;
}

/** One field that changed, for how many requests, and one of them. */
export interface ChangeGroup {
  field: string;
  requests: number;
  example: { req_id: string; at: string; request: string; was: unknown; now: unknown };
}

export interface ReplayReport {
  /** The build started, or the URL replayed to. */
  candidate: string;
  v2_compared: boolean;
  replayed: number;
  same: number;
  different: number;
  skipped: { req_id: string; reason: string }[];
  changes: ChangeGroup[];
}

/**
 * Settings replay gives a candidate it starts, whatever the environment says
 * (every other setting of the environment is passed on, so that replay runs
 * the candidate as the operator runs it): its state in memory, no retry window
 * (see the rules), no pacing (the capture holds the calls that reached v2), no
 * reconciler (its calls belong to no request), short backoffs (timing is not
 * compared), no grace on SIGTERM (nothing balances load to it), its v2 replay's own.
 */
const CANDIDATE_SETTINGS = {
  SHIM_STATE: "memory",
  SHIM_RETRY_WINDOW_MS: "0",
  SHIM_V2_RATE_LIMITS: "off",
  SHIM_V2_NEW_KEY_RATE_LIMITS: "off",
  SHIM_RECONCILE_INTERVAL_MS: "0",
  SHIM_RETRY_BASE_MS: "1",
  SHIM_SHUTDOWN_GRACE_MS: "0",
  LOG_LEVEL: "info",
  PORT: "0",
  HOST: "127.0.0.1",
};

/**
 * What the environment may not hand a candidate: its v2, state and accounts, listeners, capture, TLS,
 * tracing, admin, and the migration plan, which judges each call at the time it is made (see the rules).
 */
const NOT_PASSED_ON: ReadonlySet<string> = new Set([
  "NODE_ENV",
  "DIGICERT_API_KEY",
  "SHIM_STATE_REQUIRED",
  "SHIM_ACCOUNTS_FILE",
  "SHIM_ADMIN_TOKEN",
  "SHIM_ADMIN_PORT",
  "SHIM_ADMIN_HOST",
  "SHIM_REPLICA_ID",
  "SHIM_TLS_CERT_FILE",
  "SHIM_TLS_KEY_FILE",
  "SHIM_TLS_CA_FILE",
  "SHIM_MIGRATION_PLAN_FILE",
  "SHIM_DEPRECATION_DATE",
  "SHIM_SUNSET_DATE",
  "SHIM_MIGRATION_URL",
  ...Object.entries(SETTINGS)
    .filter(([, setting]) => setting.group === "capture")
    .map(([name]) => name),
]);
const passedOn = (name: string) => !NOT_PASSED_ON.has(name) && !name.startsWith("OTEL_");

/** The v2 key replay gives accounts mode's accounts: v2 is replay's own, and takes any. */
const V2_KEY_VARIABLE = "V1_SHIM_REPLAY_V2_KEY";

/** Sends each captured request to a shim in the order it came, and compares what the shim does now with what it did then. */
export async function runReplay(options: ReplayOptions): Promise<ReplayReport> {
  const legacyKey = options.env.V1_SHIM_REPLAY_KEY || `replay-${randomBytes(12).toString("hex")}`;
  const seeV2 = options.url === undefined || options.v2Port !== undefined;
  const cleanups: (() => Promise<unknown>)[] = [];
  try {
    const fake = seeV2 ? await startReplayV2(options.v2Port).catch(couldNotRun("start its v2")) : undefined;
    if (fake) cleanups.push(fake.close);
    let candidate: Candidate | undefined;
    let bundle: string | undefined;
    if (options.url === undefined) {
      bundle = candidateBundle(options.shim);
      const env = await candidateEnv(options, fake!, legacyKey, (dir) => cleanups.push(() => rm(dir, { recursive: true, force: true })));
      candidate = await startCandidate(bundle, env);
      cleanups.push(candidate.stop);
    }
    const base = (candidate?.url ?? options.url!).replace(/\/+$/, "");
    const report: ReplayReport = {
      candidate: bundle ?? base,
      v2_compared: seeV2,
      replayed: 0,
      same: 0,
      different: 0,
      skipped: [],
      changes: [],
    };
    const groups = new Map<string, ChangeGroup>();
    for (const record of options.records) {
      const reason = notReplayed(record);
      if (reason) {
        report.skipped.push({ req_id: record.req_id, reason });
        continue;
      }
      fake?.expect(record.v2);
      const answer = await sendCaptured(base, record, legacyKey);
      const changes = exchangeChanges({ v2: record.v2, answer: record.answer }, { v2: fake?.seen(), answer }, { seeV2 });
      report.replayed += 1;
      if (changes.length === 0) report.same += 1;
      else report.different += 1;
      for (const change of changes) addChange(groups, change, record);
    }
    report.changes = [...groups.values()].sort((a, b) => b.requests - a.requests || (a.field < b.field ? -1 : 1));
    return report;
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  }
}

function addChange(groups: Map<string, ChangeGroup>, { field, was, now }: FieldChange, record: CaptureRecord): void {
  const group = groups.get(field);
  if (group) {
    group.requests += 1;
    return;
  }
  const request = `${record.request.method} ${record.request.target}`;
  groups.set(field, { field, requests: 1, example: { req_id: record.req_id, at: record.at, request, was, now } });
}

const couldNotRun =
  (what: string) =>
  (error: unknown): never => {
    throw new Exit(2, `v1-shim replay could not ${what}: ${messageOf(error)}`);
  };

/** The environment a started candidate gets: the operator's settings, replay's own above, its v2, and in accounts mode an accounts file. */
async function candidateEnv(
  options: ReplayOptions,
  fake: ReplayV2,
  legacyKey: string,
  madeDir: (dir: string) => void,
): Promise<Record<string, string>> {
  const passed = Object.entries(options.env).filter((entry): entry is [string, string] => entry[1] !== undefined && passedOn(entry[0]));
  const env: Record<string, string> = { ...Object.fromEntries(passed), ...CANDIDATE_SETTINGS, DIGICERT_API_URL: fake.url };
  // The capture says which form its order ids took; the environment may ask for another, to see what changes.
  env.SHIM_ORDER_ID_FORMAT = options.env.SHIM_ORDER_ID_FORMAT || (options.records[0]?.shim.order_id_format ?? "number");
  if (options.records.some((record) => record.shim.mode === "accounts")) {
    const dir = await mkdtemp(join(tmpdir(), "v1-shim-replay-"));
    madeDir(dir);
    const file = join(dir, "accounts.json");
    await writeFile(file, JSON.stringify({ accounts: await replayAccounts(options.records, legacyKey) }), { mode: 0o600 });
    env.SHIM_ACCOUNTS_FILE = file;
    env[V2_KEY_VARIABLE] = `replay-v2-${randomBytes(12).toString("hex")}`;
  }
  return env;
}

/** Accounts mode: every account the capture names, mapped as the capture saw it, with replay's legacy key. */
async function replayAccounts(records: readonly CaptureRecord[], legacyKey: string) {
  const keyHash = await hashKey(legacyKey);
  const accounts = new Map<string, Record<string, unknown>>();
  for (const record of records) {
    if (record.account_id === undefined) continue;
    const entry = accounts.get(record.account_id) ?? {
      account_id: record.account_id,
      key_hash: keyHash,
      digicert_api_key_env: V2_KEY_VARIABLE,
    };
    if (record.account_mapping) Object.assign(entry, record.account_mapping);
    if (record.log.errors?.includes("account_disabled")) entry.enabled = false;
    accounts.set(record.account_id, entry);
  }
  return [...accounts.values()];
}

/** The request as captured, with credentials that do what the captured ones did: replay's key, a wrong one, an unusable header, or none. */
async function sendCaptured(base: string, record: CaptureRecord, legacyKey: string): Promise<Exchange["answer"]> {
  const { method, target, headers, body } = record.request;
  const sent: Record<string, string> = { ...headers };
  const authorization = authorizationFor(record, legacyKey);
  if (authorization) sent.authorization = authorization;
  const payload = bodyToSend(body);
  const path = target.startsWith("/") ? target : new URL(target).pathname + new URL(target).search;
  try {
    const answer = await request(base + path, { method, headers: sent, body: payload ?? null });
    return { status: answer.statusCode, headers: answer.headers, body: await answer.body.text() };
  } catch (error) {
    throw new Exit(2, `v1-shim replay could not send ${method} ${path} (req ${record.req_id}) to ${base}: ${messageOf(error)}`);
  }
}

/** The report as people read it. */
export function renderReplay(report: ReplayReport, unreadable: readonly string[]): string {
  const lines: string[] = [];
  const where = report.v2_compared ? "v2 answering as captured" : "v2 calls not compared: the shim there asks its own v2";
  lines.push(`Replayed ${report.replayed} captured request${plural(report.replayed)} against ${report.candidate} (${where}).`);
  lines.push(`Same: ${report.same}. Different: ${report.different}. Not replayed: ${report.skipped.length}.`);
  const reasons = new Map<string, number>();
  for (const { reason } of report.skipped) reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
  for (const [reason, count] of reasons) lines.push(`  not replayed, ${reason}: ${count}`);
  if (unreadable.length > 0) lines.push(`Unreadable capture lines (left out): ${unreadable.length}, first ${unreadable[0]}`);
  for (const { field, requests, example } of report.changes) {
    lines.push("");
    lines.push(`${field}: ${requests} request${plural(requests)}`);
    lines.push(`  e.g. ${example.request} (req ${example.req_id}, ${example.at}): was ${shown(example.was)}, now ${shown(example.now)}`);
  }
  if (report.changes.length === 0) lines.push("No differences (v1-shim replay --explain lists what is not compared).");
  return `${lines.join("\n")}\n`;
}

const plural = (n: number) => (n === 1 ? "" : "s");
const shown = (value: unknown) => (value === undefined ? "nothing" : JSON.stringify(value));
