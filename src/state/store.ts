import { z } from "zod";
import type { RateWindow } from "../lib/rate-window.js";

// What the shim remembers beyond one request, declared by role (pacing, hit logs,
// flags, the clients view, the order ledger, replicas' beats, the store's upkeep):
// each consumer names the roles it uses, and StateStore, all of them in one, is what
// the three backends (memory, SQLite, Redis) keep. Every method is one atomic step in
// every backend, so two replicas racing on one store never double-count or over-admit.

/** A sliding log with a limit: `key` holds the times of its entries. */
export interface HitScope {
  key: string;
  limit: number;
}

/** When a full scope frees a slot: `retryAfterMs` from now. */
export type HitCheck = { admitted: true } | { admitted: false; retryAfterMs: number };

export const PLACEMENT_STATES = ["placing", "created", "refused", "failed", "unknown"] as const;
const placementStateSchema = z.enum(PLACEMENT_STATES);
export type PlacementState = z.infer<typeof placementStateSchema>;

/**
 * One placement of an order with v2, written before the order is sent. It holds
 * what the request's log line holds, never a key, a credential or an order field.
 * `owner` and `lease_until` say which replica is working on a `placing` record and
 * until when; `fingerprint`, a keyed digest of who ordered what, finds a client's
 * retry of it (src/ordering/).
 */
export const placementSchema = z.object({
  alternative_order_id: z.string(),
  account_id: z.string(),
  req_id: z.string(),
  state: placementStateSchema,
  v2_order_id: z.number().int().nullable(),
  /** The last v2 status, or why there was none, as the log line's `v2_status`. */
  v2_status: z.union([z.number(), z.string()]).nullable(),
  /** The replica that placed it. */
  replica: z.string(),
  owner: z.string(),
  /** Epoch ms; a `placing` record whose lease has run out was abandoned (its replica died). */
  lease_until: z.number().nullable(),
  fingerprint: z.string().nullable(),
  created_at: z.number(),
  updated_at: z.number(),
});
export type Placement = z.infer<typeof placementSchema>;

type SettledState = Exclude<PlacementState, "placing">;

/** How a placement ended. */
export interface PlacementOutcome {
  alternative_order_id: string;
  state: SettledState;
  v2_order_id: number | null;
  v2_status: number | string | null;
  at: number;
}

export interface PlacementFilter {
  state?: PlacementState | undefined;
  account_id?: string | undefined;
  limit: number;
  /** From a previous page's `next_cursor`: the records after it. */
  cursor?: PlacementCursor | undefined;
}

/** Where a page ended: records are listed newest first, ties by alternative_order_id, descending. */
export interface PlacementCursor {
  created_at: number;
  alternative_order_id: string;
}

export interface PlacementPage {
  placements: Placement[];
  next: PlacementCursor | null;
}

/**
 * What admitting a placement did: wrote it (or, for a reused id whose placement made
 * nothing, opened it again), or found the placement it stands behind: the record
 * holding its id, or the newest live one with its fingerprint inside the window.
 */
export type Admission = { admitted: true } | { admitted: false; earlier: Placement };

/** A replica taking a record over, until `leaseUntil`. */
export interface Claim {
  owner: string;
  leaseUntil: number;
  now: number;
}

/** A claim on a record, for a replica taking over one another left (or whose outcome is unknown). */
export type ClaimResult = { claimed: true; placement: Placement } | { claimed: false; placement: Placement | undefined };

/** The counts of one legacy caller (account id and User-Agent), as the clients view shows them. */
export interface ClientCounts {
  account_id: string;
  user_agent: string;
  first_seen: number;
  last_seen: number;
  counts: Record<string, number>;
}

export interface ClientsLimits {
  /** Pairs kept apart; later ones are counted under `othersKey` for both fields. */
  maxClients: number;
  othersKey: string;
}

/** A count of one series (a caller's outcome, an error code, …) in the hour that starts at `hour` (epoch ms). */
export interface HourCount {
  hour: number;
  series: string;
  count: number;
}

export interface HourLimits {
  /** Series kept apart in one hour; later ones are counted under `othersSeries`. */
  maxSeriesPerHour: number;
  othersSeries: string;
}

/** How full one pacing bucket is: the calls it holds in a window, and until when v2 asked it to wait, if it did. */
export interface PaceLoad {
  bucket: string;
  calls: number;
  heldUntil: number | null;
}

export interface SweepLimits {
  now: number;
  ledgerRetentionMs: number;
  clientsRetentionMs: number;
}

/** One replica's sign of life, written on a timer: who it is, the version it runs, since when, and when it wrote this (epoch ms). */
export const replicaBeatSchema = z.object({ replica: z.string(), version: z.string(), started_at: z.number(), at: z.number() });
export type ReplicaBeat = z.infer<typeof replicaBeatSchema>;

export type Backend = "memory" | "sqlite" | "redis";

/** Pacing toward v2: a sliding log of calls per bucket, and holds v2 asked for. */
export interface Pacing {
  /**
   * Reserves the earliest time a call in `bucket` may go under every window (a
   * sliding log), and says how long to wait for it. When that is more than
   * `maxWaitMs`, nothing is reserved.
   */
  reserve(bucket: string, windows: readonly RateWindow[], maxWaitMs: number): Promise<{ admitted: boolean; waitMs: number }>;
  /** No call in `bucket` is admitted for `ms` from now (v2 said the key is saturated). */
  holdBack(bucket: string, ms: number): Promise<void>;
  /** Gives an empty `bucket` the calls `from` holds, so a key moving to a bucket of its own takes its calls along. */
  inheritPace(bucket: string, from: string): Promise<void>;
  /** The busiest `max` pacing buckets: their calls reserved within the last `windowMs` (or ahead), and any hold. */
  paceLoad(windowMs: number, max: number): Promise<PaceLoad[]>;
}

/** Sliding logs of tokens with a limit, over `windowMs`: failed logins and wrong admin tokens. */
export interface HitLogs {
  /** Whether each scope has room, without adding. */
  hitCheck(scopes: readonly HitScope[], windowMs: number): Promise<HitCheck>;
  /** Adds `token` to every scope if every one has room; otherwise adds nothing. */
  hitAdmit(scopes: readonly HitScope[], windowMs: number, token: string): Promise<HitCheck>;
  /** Adds `token` to every log, whatever their size. */
  hitAdd(keys: readonly string[], windowMs: number, token: string): Promise<void>;
  /** Takes `token` out of every log. */
  hitRemove(keys: readonly string[], token: string): Promise<void>;
}

/** Named marks that lapse: a trusted address, a key v2 accepted, whether v2 answered lately. */
export interface Flags {
  setFlag(name: string, ttlMs: number): Promise<void>;
  hasFlag(name: string): Promise<boolean>;
}

/** The clients view: each legacy caller's counts, and counts by the hour, both bounded. */
export interface ClientsView {
  /** Adds counts and widens first/last seen; a new pair past `maxClients` is counted under the others. */
  mergeClients(deltas: readonly ClientCounts[], limits: ClientsLimits): Promise<void>;
  /** Every pair, and since when the store counts. */
  clients(): Promise<{ since: number; clients: ClientCounts[] }>;
  /** Adds counts to their hours; a new series past `maxSeriesPerHour` in its hour is counted under the others. */
  addHourCounts(counts: readonly HourCount[], limits: HourLimits): Promise<void>;
  /** Every count of the hours that start at `since` or later. */
  hourCounts(since: number): Promise<HourCount[]>;
}

/** The order ledger: a record of each placement, written before its order is sent (placement-rules.ts). */
export interface OrderLedger {
  /**
   * One atomic step, the only write before an order is sent: unless a record holds
   * the placement's id, or (with `windowSince`) a live placement with its fingerprint
   * was created since then, writes it; durable once this resolves. The rules are
   * placement-rules.ts's.
   */
  admitPlacement(placement: Placement, windowSince: number | null): Promise<Admission>;
  getPlacement(alternativeOrderId: string): Promise<Placement | undefined>;
  /** Writes how each placement ended, in place, and ends its lease; a record that is not there is passed over. */
  settlePlacements(outcomes: readonly PlacementOutcome[]): Promise<void>;
  listPlacements(filter: PlacementFilter): Promise<PlacementPage>;
  countPlacements(state: PlacementState): Promise<number>;
  /**
   * Takes over an `unknown` record, or a `placing` one whose lease has run out (or
   * that `owner` already holds), as `placing` until `leaseUntil`; any other record is
   * given back unclaimed.
   */
  claimPlacement(alternativeOrderId: string, claim: Claim): Promise<ClaimResult>;
  /** The secret kept under `name`: the one stored first, `candidate` when there is none yet. */
  sharedSecret(name: string, candidate: string): Promise<string>;
}

/** Replicas' beats, for the dashboard's health. */
export interface ReplicaBeats {
  /** Writes `beat` over its replica's last one, and forgets every beat written before `forgetBefore` (epoch ms). */
  beat(beat: ReplicaBeat, forgetBefore: number): Promise<void>;
  /** The last beat of each replica that wrote one at `since` or later, the latest first. */
  replicas(since: number): Promise<ReplicaBeat[]>;
}

/** The store's own upkeep: which backend it is, whether it answers, forgetting, closing. */
export interface StoreUpkeep {
  readonly backend: Backend;
  /** Forgets what is past its retention (hour counts with the clients view's), and marks `placing` records whose lease ran out as `unknown`. */
  sweep(limits: SweepLimits): Promise<void>;
  /** Throws when the store cannot be reached. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** Every role in one store, as each backend keeps them. */
export interface StateStore extends Pacing, HitLogs, Flags, ClientsView, OrderLedger, ReplicaBeats, StoreUpkeep {}

/** Pages of the ledger are read through this cursor, written as text in the API. */
export const cursorText = (cursor: PlacementCursor): string => `${cursor.created_at}.${cursor.alternative_order_id}`;

export function parseCursor(text: string): PlacementCursor | undefined {
  const match = text.match(/^(\d{1,16})\.([A-Za-z0-9]{1,64})$/);
  return match ? { created_at: Number(match[1]), alternative_order_id: match[2]! } : undefined;
}
