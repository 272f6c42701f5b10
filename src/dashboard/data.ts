import type { Config } from "../config/config.js";
import type { RateWindow } from "../lib/rate-window.js";
import type { ClientUsage } from "../observability/client-usage.js";
import { V2_ANSWERED_FLAG, V2_UNANSWERED_FLAG } from "../observability/client-usage.js";
import type { OrderDesk } from "../ordering/desk.js";
import type { Placement, PlacementState, StateStore } from "../state/store.js";
import { NEW_KEYS_BUCKET } from "../v2/pacer.js";
import {
  type AccountRow,
  accountRows,
  CHART_DAYS,
  type CodeRow,
  DAY_MS,
  dayOf,
  failures,
  type SortKey,
  sortAccounts,
  type Volume,
  volume,
} from "./aggregate.js";

/** Orders of each state read for the page: the newest this many. */
const ORDERS_READ = 200;
const SETTLED_WINDOW_MS = 7 * DAY_MS;

export type V2Health = "reachable" | "unreachable" | "intermittent" | "no recent calls";

export interface OrderRow {
  alternative_order_id: string;
  account_id: string;
  state: PlacementState;
  v2_order_id: number | null;
  created_at: number;
  age_ms: number;
  /** The look-up in v2, its key left for the operator to fill in. */
  curl: string;
}

export interface PaceRow {
  /** The first characters of the key's digest (never the key), or the budget new keys share. */
  key: string;
  calls: number;
  limit: number;
  windowMs: number;
  /** calls / limit over the shortest window. */
  saturation: number;
  held_until: number | null;
}

/** Pacing rows shown at most. */
const PACE_ROWS = 20;
/** Enough of a digest to tell keys apart at a glance, too little to stand for the key anywhere else. */
const DIGEST_SHOWN = 10;

export interface DashboardData {
  now: number;
  sort: SortKey;
  accounts: AccountRow[];
  volume: Volume;
  failures: { v1: CodeRow[]; v2: CodeRow[] };
  orders: { unknown: OrderRow[]; settledLater: OrderRow[] };
  health: {
    store: { backend: string; up: boolean };
    v2: V2Health;
    pacing: PaceRow[];
    deprecation: string | null;
    sunset: string | null;
  };
}

export interface DashboardSources {
  config: Pick<Config, "digicertApiUrl" | "deprecationDate" | "sunsetDate" | "retry" | "v2RateLimits" | "v2NewKeyRateLimits">;
  store: Pick<StateStore, "backend" | "ping" | "hourCounts" | "clients" | "listPlacements" | "hasFlag" | "paceLoad">;
  usage: Pick<ClientUsage, "flush">;
  ledger: Pick<OrderDesk, "flush">;
  now?: () => number;
}

/** `curl` that asks v2 which orders carry this alternative_order_id; `$KEY` is the account's v2 key, not shown. */
export const lookupCurl = (apiUrl: string | undefined, alternativeOrderId: string): string =>
  `curl -s -H "X-DC-DEVKEY: $KEY" '${apiUrl ?? "$DIGICERT_API_URL"}/order/alternate/${alternativeOrderId}'`;

const shortest = (windows: readonly RateWindow[]) => windows.reduce((a, b) => (b.windowMs < a.windowMs ? b : a));

/** Each bucket against its shortest window: the one v2 refuses first. */
async function pacing(sources: DashboardSources): Promise<PaceRow[]> {
  const { v2RateLimits, v2NewKeyRateLimits } = sources.config;
  if (v2RateLimits.length === 0) return [];
  const own = shortest(v2RateLimits);
  const shared = v2NewKeyRateLimits.length > 0 ? shortest(v2NewKeyRateLimits) : own;
  const loads = await sources.store.paceLoad(Math.max(own.windowMs, shared.windowMs), PACE_ROWS);
  return loads
    .map(({ bucket, calls, heldUntil }) => {
      const window = bucket === NEW_KEYS_BUCKET ? shared : own;
      return {
        key: bucket === NEW_KEYS_BUCKET ? "new keys (shared)" : `${bucket.replace(/^key:/, "").slice(0, DIGEST_SHOWN)}…`,
        calls,
        limit: window.limit,
        windowMs: window.windowMs,
        saturation: calls / window.limit,
        held_until: heldUntil,
      };
    })
    .sort((a, b) => b.saturation - a.saturation);
}

function v2Health(answered: boolean, unanswered: boolean): V2Health {
  if (answered) return unanswered ? "intermittent" : "reachable";
  return unanswered ? "unreachable" : "no recent calls";
}

/**
 * Everything the page shows, read from the state store (so every replica shows
 * the same), with what this replica counted written first. v2's health is what
 * the last calls of every replica met, never a call of the page's own. While the
 * store cannot be read the page still answers, saying so, with nothing else.
 */
export async function dashboardData(sources: DashboardSources, sort: SortKey): Promise<DashboardData> {
  const { config, store } = sources;
  const now = (sources.now ?? Date.now)();
  const dates = {
    deprecation: config.deprecationDate?.toISOString() ?? null,
    sunset: config.sunsetDate?.toISOString() ?? null,
  };
  const empty: DashboardData = {
    now,
    sort,
    accounts: [],
    volume: volume([], now),
    failures: { v1: [], v2: [] },
    orders: { unknown: [], settledLater: [] },
    health: { store: { backend: store.backend, up: false }, v2: "no recent calls", pacing: [], ...dates },
  };
  try {
    await store.ping();
    await Promise.all([sources.usage.flush(), sources.ledger.flush()]);
    const since = dayOf(now) - (CHART_DAYS - 1) * DAY_MS;
    const [hours, { clients }, answered, unanswered, paced, unknown, ...settled] = await Promise.all([
      store.hourCounts(Math.min(since, now - 30 * DAY_MS)),
      store.clients(),
      store.hasFlag(V2_ANSWERED_FLAG),
      store.hasFlag(V2_UNANSWERED_FLAG),
      pacing(sources),
      store.listPlacements({ state: "unknown", limit: ORDERS_READ }),
      ...(["created", "refused", "failed"] as const).map((state) => store.listPlacements({ state, limit: ORDERS_READ })),
    ]);
    const row = (p: Placement): OrderRow => ({
      alternative_order_id: p.alternative_order_id,
      account_id: p.account_id,
      state: p.state,
      v2_order_id: p.v2_order_id,
      created_at: p.created_at,
      age_ms: now - p.created_at,
      curl: lookupCurl(config.digicertApiUrl, p.alternative_order_id),
    });
    // Settled after its own request's deadline: by someone else (a look-up, a reconciler), not by the call that placed it.
    const settledLater = settled
      .flatMap((page) => page.placements)
      .filter((p) => p.updated_at >= now - SETTLED_WINDOW_MS && p.updated_at - p.created_at > config.retry.deadlineMs)
      .sort((a, b) => b.updated_at - a.updated_at);
    return {
      now,
      sort,
      accounts: sortAccounts(accountRows(clients, hours, now), sort),
      volume: volume(hours, now),
      failures: failures(hours, now),
      orders: { unknown: unknown.placements.map(row), settledLater: settledLater.map(row) },
      health: { store: { backend: store.backend, up: true }, v2: v2Health(answered, unanswered), pacing: paced, ...dates },
    };
  } catch {
    return empty;
  }
}
