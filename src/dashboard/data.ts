import type { Config } from "../config/config.js";
import { SHIM_VERSION } from "../contract/version.js";
import type { RateWindow } from "../lib/rate-window.js";
import type { PlanInUse } from "../migration/plan-in-use.js";
import type { ClientUsage } from "../observability/client-usage.js";
import { V2_ANSWERED_FLAG, V2_UNANSWERED_FLAG } from "../observability/client-usage.js";
import type { ReplicaHeartbeat } from "../observability/replica-heartbeat.js";
import type { OrderDesk } from "../ordering/desk.js";
import type { ClientsView, Flags, OrderLedger, Pacing, Placement, PlacementState, ReplicaBeats, StoreUpkeep } from "../state/store.js";
import { NEW_KEYS_BUCKET } from "../v2/pacer.js";
import {
  type AccountRow,
  accountRows,
  CHART_DAYS,
  type CodeRow,
  DAY_MS,
  type DateSetting,
  dateSetting,
  dayOf,
  type FamilyRow,
  failures,
  headline,
  REPLICA_SEEN_MS,
  type ReplicaRow,
  replicaRows,
  type SortKey,
  setUnverifiedApart,
  sortAccounts,
  type Traffic,
  traffic,
  type Volume,
  volume,
} from "./aggregate.js";
import { type MigrationStages, migrationStages } from "./migration-stages.js";

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
  /** Verified accounts: how many still call v1, of how many seen. */
  headline: { calling: number; accounts: number };
  accounts: AccountRow[];
  /** Every caller whose credentials were not accepted, counted together: not an account. */
  unverified: AccountRow | null;
  traffic: Traffic;
  volume: Volume;
  failures: { v1: FamilyRow[]; v2: CodeRow[] };
  orders: { unknown: OrderRow[]; settledLater: OrderRow[] };
  /** Null while the store is down. */
  migration: MigrationStages | null;
  health: {
    /** The version of the replica showing the page. */
    version: string;
    replicas: ReplicaRow[];
    store: { backend: string; up: boolean };
    v2: V2Health;
    pacing: PaceRow[];
    deprecation: DateSetting | null;
    sunset: DateSetting | null;
  };
}

export interface DashboardSources {
  config: Pick<Config, "digicertApiUrl" | "retry" | "v2RateLimits" | "v2NewKeyRateLimits">;
  store: StoreUpkeep & ClientsView & OrderLedger & Flags & Pacing & ReplicaBeats;
  usage: Pick<ClientUsage, "flush">;
  ledger: Pick<OrderDesk, "flush">;
  migration: PlanInUse;
  /** This replica's beat, written before the page reads them all, so that it is always among them. */
  heartbeat: Pick<ReplicaHeartbeat, "beat">;
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
  // The dates every account not in the migration plan is told (SHIM_DEPRECATION_DATE and SHIM_SUNSET_DATE, or the plan's default).
  const { deprecation, sunset } = sources.migration.plan.default;
  const dateOf = (at: Date | number | undefined) => dateSetting(at === undefined ? undefined : new Date(at), now);
  const dates = { deprecation: dateOf(deprecation), sunset: dateOf(sunset) };
  const empty: DashboardData = {
    now,
    sort,
    headline: { calling: 0, accounts: 0 },
    accounts: [],
    unverified: null,
    traffic: traffic([], now),
    volume: volume([], now),
    failures: { v1: [], v2: [] },
    orders: { unknown: [], settledLater: [] },
    migration: null,
    health: {
      version: SHIM_VERSION,
      replicas: [],
      store: { backend: store.backend, up: false },
      v2: "no recent calls",
      pacing: [],
      ...dates,
    },
  };
  try {
    await store.ping();
    await Promise.all([sources.usage.flush(), sources.ledger.flush(), sources.heartbeat.beat()]);
    const since = dayOf(now) - (CHART_DAYS - 1) * DAY_MS;
    const [hours, { clients }, beats, answered, unanswered, paced, unknown, ...settled] = await Promise.all([
      store.hourCounts(Math.min(since, now - 30 * DAY_MS)),
      store.clients(),
      store.replicas(now - REPLICA_SEEN_MS),
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
    const rows = accountRows(clients, hours, now);
    const { accounts, unverified } = setUnverifiedApart(rows);
    return {
      now,
      sort,
      headline: headline(rows),
      accounts: sortAccounts(accounts, sort),
      unverified,
      traffic: traffic(hours, now),
      volume: volume(hours, now),
      failures: failures(hours, now),
      orders: { unknown: unknown.placements.map(row), settledLater: settledLater.map(row) },
      migration: migrationStages(sources.migration, clients),
      health: {
        version: SHIM_VERSION,
        replicas: replicaRows(beats, now, SHIM_VERSION),
        store: { backend: store.backend, up: true },
        v2: v2Health(answered, unanswered),
        pacing: paced,
        ...dates,
      },
    };
  } catch {
    return empty;
  }
}
