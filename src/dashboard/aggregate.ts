import { readSeries } from "../observability/usage-series.js";
import type { ClientCounts, HourCount } from "../state/store.js";

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

export interface AccountRow extends Windows {
  account_id: string;
  last_seen: number;
  /** Of the last 30 days' calls, the share that failed (0 to 1); null without calls. */
  error_share: number | null;
  migrated: boolean;
  agents: AgentRow[];
}

export const SORT_KEYS = ["account", "last24h", "last7d", "last30d", "last_seen", "errors"] as const;
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

/** One row per account, its agents inside, from the clients view (who, last seen) and the hour counts (windows, errors). */
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
  for (const client of clients) pairOf(client.account_id, client.user_agent).last_seen = client.last_seen;
  for (const { hour, series, count } of hours) {
    const s = readSeries(series);
    if (s?.kind !== "call") continue;
    const pair = pairOf(s.account_id, s.user_agent);
    addToWindows(pair, hour, count, now);
    if (FAILED_OUTCOMES.has(s.outcome) && now - hour < 30 * DAY_MS) pair.failed += count;
    // The hour counts may be ahead of the clients view, which a replica writes in the same flush.
    pair.last_seen = Math.max(pair.last_seen, Math.min(hour, now));
  }
  const accounts = new Map<string, AccountRow & { failed: number }>();
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
  return [...accounts.values()].map(({ failed, ...row }) => ({
    ...row,
    error_share: row.last30d === 0 ? null : failed / row.last30d,
    migrated: now - row.last_seen >= MIGRATED_AFTER_MS,
    agents: row.agents.sort((a, b) => b.last30d - a.last30d || b.last_seen - a.last_seen),
  }));
}

const SORTS: Record<SortKey, (a: AccountRow, b: AccountRow) => number> = {
  account: (a, b) => (a.account_id < b.account_id ? -1 : a.account_id > b.account_id ? 1 : 0),
  last24h: (a, b) => b.last24h - a.last24h,
  last7d: (a, b) => b.last7d - a.last7d,
  last30d: (a, b) => b.last30d - a.last30d,
  last_seen: (a, b) => b.last_seen - a.last_seen,
  errors: (a, b) => (b.error_share ?? -1) - (a.error_share ?? -1),
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

/** v1 error codes answered, and v2's codes behind upstream refusals, over the last 24 h and 7 days; most frequent first. */
export function failures(hours: readonly HourCount[], now: number): { v1: CodeRow[]; v2: CodeRow[] } {
  const tables = { v1: new Map<string, CodeRow & Windows>(), v2: new Map<string, CodeRow & Windows>() };
  for (const { hour, series, count } of hours) {
    const s = readSeries(series);
    if (s?.kind !== "v1_error" && s?.kind !== "v2_error") continue;
    const [table, status] = s.kind === "v1_error" ? [tables.v1, String(s.status)] : [tables.v2, s.v2_status];
    const key = JSON.stringify([s.code, status]);
    const row = table.get(key) ?? { code: s.code, status, ...emptyWindows() };
    addToWindows(row, hour, count, now);
    table.set(key, row);
  }
  const rows = (table: Map<string, CodeRow & Windows>) =>
    [...table.values()]
      .filter((r) => r.last7d > 0)
      .map(({ code, status, last24h, last7d }) => ({ code, status, last24h, last7d }))
      .sort((a, b) => b.last7d - a.last7d || b.last24h - a.last24h || (a.code < b.code ? -1 : 1));
  return { v1: rows(tables.v1), v2: rows(tables.v2) };
}

/** "3 d 4 h", "5 h 2 min", "40 s": how old something is, to read at a glance. */
export function ageText(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s} s`;
  const min = Math.floor(s / 60);
  if (min < 60) return `${min} min`;
  const h = Math.floor(min / 60);
  if (h < 24) return `${h} h ${min % 60} min`;
  return `${Math.floor(h / 24)} d ${h % 24} h`;
}
