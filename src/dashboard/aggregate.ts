import { OTHERS, UNVERIFIED } from "../observability/client-usage.js";
import { familyOf, HOUR_MS, latencyBucketBounds, PATHS, type PathKind, readSeries } from "../observability/usage-series.js";
import type { ClientCounts, HourCount, ReplicaBeat } from "../state/store.js";

// What the dashboard shows, computed from what the store holds: pure functions
// of the counts and a clock, so that every window, share and sort is tested
// with a fixed time.

export const DAY_MS = 86_400_000;
/** An account not heard from in this long has moved to v2, as far as the shim can tell. */
export const MIGRATED_AFTER_MS = 30 * DAY_MS;
export const CHART_DAYS = 30;
/** Accounts drawn as lines of their own in the chart, besides the one for all. */
export const CHART_TOP_ACCOUNTS = 5;

const FAILED_OUTCOMES = new Set(["refused_by_validation", "refused_by_v2", "failed_upstream"]);

interface Windows {
  last24h: number;
  last7d: number;
  last30d: number;
}

interface AgentRow extends Windows {
  user_agent: string;
  last_seen: number;
}

/** An account's orders over the last 24 h: how many were timed, and the 50th and 99th percentiles of their times, in ms. */
export interface Latency {
  orders: number;
  p50_ms: number;
  p99_ms: number;
}

export interface AccountRow extends Windows {
  account_id: string;
  last_seen: number;
  /** Of the last 30 days' calls, the share that failed (0 to 1); null without calls. */
  error_share: number | null;
  /** Its calls answered as replays of an earlier identical order, in each window. */
  replayed: Windows;
  /** Its orders of the last 24 h; null without any. */
  latency: Latency | null;
  /** Of its calls in the last 30 days, translate's included, the share on each path; null without calls. */
  paths: Record<PathKind, number> | null;
  migrated: boolean;
  agents: AgentRow[];
}

export const SORT_KEYS = ["account", "last24h", "last7d", "last30d", "last_seen", "errors", "replays", "p99"] as const;
export type SortKey = (typeof SORT_KEYS)[number];
export const readSortKey = (text: string | undefined): SortKey =>
  (SORT_KEYS as readonly string[]).includes(text ?? "") ? (text as SortKey) : "last30d";

const emptyWindows = (): Windows => ({ last24h: 0, last7d: 0, last30d: 0 });

function addToWindows(windows: Windows, hour: number, count: number, now: number): void {
  const age = now - hour;
  // An hour counts in a window when any of it is inside: the current hour is always "the last 24 h".
  if (age < DAY_MS) windows.last24h += count;
  if (age < 7 * DAY_MS) windows.last7d += count;
  if (age < 30 * DAY_MS) windows.last30d += count;
}

/** What an account's row holds beside its calls: replays, paths and order times. */
interface AccountExtras {
  replayed: Windows;
  paths: Record<PathKind, number>;
  /** Orders of the last 24 h per latency bucket. */
  latency: Map<number, number>;
}

const noPaths = (): Record<PathKind, number> => Object.fromEntries(PATHS.map((p) => [p, 0])) as Record<PathKind, number>;

/**
 * The `q` quantile (0 to 1) of times counted per latency bucket: found in its bucket by rank,
 * and placed inside it on a log scale, as the buckets are spaced. Null without counts.
 */
export function percentile(histogram: ReadonlyMap<number, number>, q: number): number | null {
  const buckets = [...histogram].filter(([, n]) => n > 0).sort(([a], [b]) => a - b);
  const total = buckets.reduce((sum, [, n]) => sum + n, 0);
  if (total === 0) return null;
  const rank = q * total;
  let below = 0;
  for (const [bucket, n] of buckets) {
    if (below + n >= rank || bucket === buckets.at(-1)![0]) {
      const { low, high } = latencyBucketBounds(bucket);
      const within = Math.min(1, Math.max(0, (rank - below) / n));
      if (high === Number.POSITIVE_INFINITY) return low;
      return low === 0 ? high * within : low * (high / low) ** within;
    }
    below += n;
  }
  return null;
}

function latencyOf(histogram: ReadonlyMap<number, number>): Latency | null {
  const orders = [...histogram.values()].reduce((sum, n) => sum + n, 0);
  const [p50, p99] = [percentile(histogram, 0.5), percentile(histogram, 0.99)];
  return orders === 0 || p50 === null || p99 === null ? null : { orders, p50_ms: p50, p99_ms: p99 };
}

function pathShares(paths: Record<PathKind, number>): Record<PathKind, number> | null {
  const total = PATHS.reduce((sum, p) => sum + paths[p], 0);
  return total === 0 ? null : (Object.fromEntries(PATHS.map((p) => [p, paths[p] / total])) as Record<PathKind, number>);
}

/**
 * One row per account, its agents inside, from the clients view (who, last seen) and the hour counts
 * (windows, errors, replays, paths, order times). Only accounts with legacy calls have a row: an
 * account that only ever translated has not called v1.
 */
export function accountRows(clients: readonly ClientCounts[], hours: readonly HourCount[], now: number): AccountRow[] {
  const pairs = new Map<string, AgentRow & { account_id: string; failed: number }>();
  const pairOf = (account_id: string, user_agent: string) => {
    const key = JSON.stringify([account_id, user_agent]);
    let pair = pairs.get(key);
    if (!pair) {
      pair = { account_id, user_agent, last_seen: 0, failed: 0, ...emptyWindows() };
      pairs.set(key, pair);
    }
    return pair;
  };
  const extras = new Map<string, AccountExtras>();
  const extrasOf = (account_id: string) => {
    let found = extras.get(account_id);
    if (!found) {
      found = { replayed: emptyWindows(), paths: noPaths(), latency: new Map() };
      extras.set(account_id, found);
    }
    return found;
  };
  for (const client of clients) pairOf(client.account_id, client.user_agent).last_seen = client.last_seen;
  for (const { hour, series, count } of hours) {
    const s = readSeries(series);
    if (s?.kind === "replayed") addToWindows(extrasOf(s.account_id).replayed, hour, count, now);
    if (s?.kind === "path" && now - hour < 30 * DAY_MS) extrasOf(s.account_id).paths[s.path] += count;
    if (s?.kind === "order_latency" && now - hour < DAY_MS) {
      const { latency } = extrasOf(s.account_id);
      latency.set(s.bucket, (latency.get(s.bucket) ?? 0) + count);
    }
    if (s?.kind !== "call") continue;
    const pair = pairOf(s.account_id, s.user_agent);
    addToWindows(pair, hour, count, now);
    if (FAILED_OUTCOMES.has(s.outcome) && now - hour < 30 * DAY_MS) pair.failed += count;
    // The hour counts may be ahead of the clients view, which a replica writes in the same flush.
    pair.last_seen = Math.max(pair.last_seen, Math.min(hour, now));
  }
  const accounts = new Map<string, Omit<AccountRow, "latency" | "paths" | "replayed"> & { failed: number }>();
  for (const { account_id, failed, ...agent } of pairs.values()) {
    let row = accounts.get(account_id);
    if (!row) {
      row = { account_id, last_seen: 0, error_share: null, migrated: false, agents: [], failed: 0, ...emptyWindows() };
      accounts.set(account_id, row);
    }
    row.agents.push(agent);
    row.failed += failed;
    row.last24h += agent.last24h;
    row.last7d += agent.last7d;
    row.last30d += agent.last30d;
    row.last_seen = Math.max(row.last_seen, agent.last_seen);
  }
  return [...accounts.values()].map(({ failed, ...row }) => {
    const extra = extras.get(row.account_id);
    return {
      ...row,
      error_share: row.last30d === 0 ? null : failed / row.last30d,
      replayed: extra?.replayed ?? emptyWindows(),
      latency: extra ? latencyOf(extra.latency) : null,
      paths: extra ? pathShares(extra.paths) : null,
      migrated: now - row.last_seen >= MIGRATED_AFTER_MS,
      agents: row.agents.sort((a, b) => b.last30d - a.last30d || b.last_seen - a.last_seen),
    };
  });
}

/** The unverified bucket apart from the accounts: it is every caller whose credentials were not accepted, not an account. */
export function setUnverifiedApart(rows: readonly AccountRow[]): { accounts: AccountRow[]; unverified: AccountRow | null } {
  return { accounts: rows.filter((r) => r.account_id !== UNVERIFIED), unverified: rows.find((r) => r.account_id === UNVERIFIED) ?? null };
}

/** "N of M accounts still call v1": verified accounts only, neither the unverified bucket nor the others counted together. */
export function headline(rows: readonly AccountRow[]): { calling: number; accounts: number } {
  const accounts = rows.filter((r) => r.account_id !== UNVERIFIED && r.account_id !== OTHERS);
  return { calling: accounts.filter((r) => !r.migrated).length, accounts: accounts.length };
}

const SORTS: Record<SortKey, (a: AccountRow, b: AccountRow) => number> = {
  account: (a, b) => (a.account_id < b.account_id ? -1 : a.account_id > b.account_id ? 1 : 0),
  last24h: (a, b) => b.last24h - a.last24h,
  last7d: (a, b) => b.last7d - a.last7d,
  last30d: (a, b) => b.last30d - a.last30d,
  last_seen: (a, b) => b.last_seen - a.last_seen,
  errors: (a, b) => (b.error_share ?? -1) - (a.error_share ?? -1),
  replays: (a, b) => b.replayed.last30d - a.replayed.last30d,
  p99: (a, b) => (b.latency?.p99_ms ?? -1) - (a.latency?.p99_ms ?? -1),
};

/** Accounts by `key`: names A to Z, everything else largest (or latest) first; ties by name. */
export const sortAccounts = (rows: readonly AccountRow[], key: SortKey): AccountRow[] =>
  [...rows].sort((a, b) => SORTS[key](a, b) || SORTS.account(a, b));

export const dayOf = (ms: number): number => ms - (ms % DAY_MS);

export interface VolumeSeries {
  /** "all", or an account id. */
  name: string;
  /** One count per day, oldest first, the last for today (UTC). */
  perDay: number[];
}

export interface Volume {
  /** The first day's start, epoch ms (UTC). */
  firstDay: number;
  series: VolumeSeries[];
}

/** Legacy calls per UTC day for the last CHART_DAYS days: in all, and for the busiest accounts. */
export function volume(hours: readonly HourCount[], now: number): Volume {
  const firstDay = dayOf(now) - (CHART_DAYS - 1) * DAY_MS;
  const all = new Array<number>(CHART_DAYS).fill(0);
  const byAccount = new Map<string, number[]>();
  for (const { hour, series, count } of hours) {
    const s = readSeries(series);
    const index = Math.floor((hour - firstDay) / DAY_MS);
    if (s?.kind !== "call" || index < 0 || index >= CHART_DAYS) continue;
    all[index]! += count;
    const perDay = byAccount.get(s.account_id) ?? new Array<number>(CHART_DAYS).fill(0);
    perDay[index]! += count;
    byAccount.set(s.account_id, perDay);
  }
  const total = (perDay: number[]) => perDay.reduce((sum, n) => sum + n, 0);
  const top = [...byAccount]
    .sort(([a, x], [b, y]) => total(y) - total(x) || (a < b ? -1 : 1))
    .slice(0, CHART_TOP_ACCOUNTS)
    .map(([name, perDay]) => ({ name, perDay }));
  return { firstDay, series: [{ name: "all", perDay: all }, ...top] };
}

export interface CodeRow {
  code: string;
  /** The v1 status it was answered with, or what v2 answered (its status, or why there was none). */
  status: string;
  last24h: number;
  last7d: number;
}

/** A family of v1 codes (`required_param:*`), counted in requests, with the codes in it most often answered. */
export interface FamilyRow extends CodeRow {
  /** Up to FAMILY_CODES_SHOWN of its codes, most often answered in 7 days first, and how often. */
  codes: { code: string; last7d: number }[];
  /** Its other codes, not listed. */
  more: number;
}

export const FAMILY_CODES_SHOWN = 3;

type Counted = CodeRow & Windows;
const byFrequency = (a: CodeRow, b: CodeRow) => b.last7d - a.last7d || b.last24h - a.last24h || (a.code < b.code ? -1 : 1);
const countedRows = (table: Map<string, Counted>): CodeRow[] =>
  [...table.values()]
    .filter((r) => r.last7d > 0)
    .map(({ code, status, last24h, last7d }) => ({ code, status, last24h, last7d }))
    .sort(byFrequency);

/**
 * What failed over the last 24 h and 7 days, most frequent first, nothing older: v1's codes by
 * family, each counted once per request however many of its fields the request missed, with the
 * family's codes most often answered; and v2's codes behind upstream refusals, one by one.
 */
export function failures(hours: readonly HourCount[], now: number): { v1: FamilyRow[]; v2: CodeRow[] } {
  const families = new Map<string, Counted>();
  const codes = new Map<string, Counted>();
  const v2 = new Map<string, Counted>();
  const count = (table: Map<string, Counted>, code: string, status: string, hour: number, n: number) => {
    const key = JSON.stringify([code, status]);
    const row = table.get(key) ?? { code, status, ...emptyWindows() };
    addToWindows(row, hour, n, now);
    table.set(key, row);
  };
  for (const { hour, series, count: n } of hours) {
    const s = readSeries(series);
    if (s?.kind === "v1_family") count(families, s.family, String(s.status), hour, n);
    else if (s?.kind === "v1_error") count(codes, s.code, String(s.status), hour, n);
    else if (s?.kind === "v2_error") count(v2, s.code, s.v2_status, hour, n);
  }
  const inFamily = new Map<string, CodeRow[]>();
  for (const row of countedRows(codes)) {
    const key = JSON.stringify([familyOf(row.code), row.status]);
    inFamily.set(key, [...(inFamily.get(key) ?? []), row]);
  }
  const v1 = countedRows(families).map((family) => {
    // A family of one code without a field (`upstream_unavailable`) lists nothing more.
    const members = family.code.endsWith(":*") ? (inFamily.get(JSON.stringify([family.code, family.status])) ?? []) : [];
    return {
      ...family,
      codes: members.slice(0, FAMILY_CODES_SHOWN).map(({ code, last7d }) => ({ code, last7d })),
      more: Math.max(0, members.length - FAMILY_CODES_SHOWN),
    };
  });
  return { v1, v2: countedRows(v2) };
}

/** Legacy calls in the last full hour and in this one so far: the request rate, as the hour counts can tell it. */
export interface Traffic {
  lastHour: number;
  thisHour: number;
  /** How far into this hour `now` is. */
  minutesIntoHour: number;
}

export function traffic(hours: readonly HourCount[], now: number): Traffic {
  const thisHour = now - (now % HOUR_MS);
  const out: Traffic = { lastHour: 0, thisHour: 0, minutesIntoHour: Math.floor((now - thisHour) / 60_000) };
  for (const { hour, series, count } of hours) {
    if (readSeries(series)?.kind !== "call") continue;
    if (hour === thisHour) out.thisHour += count;
    else if (hour === thisHour - HOUR_MS) out.lastHour += count;
  }
  return out;
}

/** A replica counts as running when its last beat is this recent. */
export const REPLICA_SEEN_MS = 5 * 60_000;

export interface ReplicaRow extends ReplicaBeat {
  /** It runs another version than the replica showing the page: a deploy under way, or one stuck. */
  other_version: boolean;
}

/** The replicas heard from within REPLICA_SEEN_MS, by id. */
export function replicaRows(beats: readonly ReplicaBeat[], now: number, version: string): ReplicaRow[] {
  return beats
    .filter((b) => now - b.at <= REPLICA_SEEN_MS)
    .map((b) => ({ ...b, other_version: b.version !== version }))
    .sort((a, b) => (a.replica < b.replica ? -1 : a.replica > b.replica ? 1 : 0));
}

/** A configured date (deprecation, sunset), and whether it has passed. */
export interface DateSetting {
  at: number;
  past: boolean;
}

export const dateSetting = (date: Date | undefined, now: number): DateSetting | null =>
  date === undefined ? null : { at: date.getTime(), past: date.getTime() <= now };
