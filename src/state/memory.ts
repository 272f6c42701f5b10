import { setNewest } from "../lib/bounded-map.js";
import type { RateWindow } from "../lib/rate-window.js";
import { mergeCounts } from "./clients-rules.js";
import {
  abandoned,
  admissionStep,
  claimable,
  claimed,
  isAbandoned,
  isAfterCursor,
  liveSince,
  reopened,
  settled,
} from "./placement-rules.js";
import { latestFirst } from "./replica-rules.js";
import { busiest, checkLog, combineChecks, earliestSlot, firstAfter } from "./sliding-log.js";
import type {
  Admission,
  Claim,
  ClaimResult,
  ClientCounts,
  ClientsLimits,
  HitCheck,
  HitScope,
  HourCount,
  HourLimits,
  Placement,
  PlacementFilter,
  PlacementOutcome,
  PlacementPage,
  PlacementState,
  ReplicaBeat,
  StateStore,
  SweepLimits,
} from "./store.js";

interface MemoryBounds {
  /** Pacing buckets, hit logs and flags, each; the least recently used go first. */
  maxKeys: number;
  maxPlacements: number;
}

const DEFAULT_BOUNDS: MemoryBounds = { maxKeys: 10_000, maxPlacements: 100_000 };

interface Bucket {
  times: number[];
  blockedUntil: number;
}

interface Hit {
  token: string;
  at: number;
}

/**
 * Everything in this process, bounded: nothing survives a restart or is shared.
 * For tests and throwaway runs, and what the other backends fall back to while
 * they cannot be reached.
 */
export class MemoryStore implements StateStore {
  readonly backend = "memory";
  readonly #buckets = new Map<string, Bucket>();
  readonly #hits = new Map<string, Hit[]>();
  readonly #flags = new Map<string, number>();
  readonly #clients = new Map<string, ClientCounts>();
  /** Oldest first: past the bound, the oldest go. */
  readonly #placements = new Map<string, Placement>();
  readonly #byFingerprint = new Map<string, Set<string>>();
  readonly #secrets = new Map<string, string>();
  readonly #hours = new Map<number, Map<string, number>>();
  readonly #since: number;
  readonly #bounds: MemoryBounds;

  constructor(
    private readonly now: () => number = Date.now,
    bounds: Partial<MemoryBounds> = {},
  ) {
    this.#since = now();
    this.#bounds = { ...DEFAULT_BOUNDS, ...bounds };
  }

  async reserve(bucket: string, windows: readonly RateWindow[], maxWaitMs: number) {
    const now = this.now();
    const longest = Math.max(...windows.map((w) => w.windowMs));
    const state = this.#buckets.get(bucket) ?? { times: [], blockedUntil: 0 };
    state.times.splice(0, firstAfter(state.times, now - longest));
    const at = earliestSlot(state.times, windows, now, state.blockedUntil);
    const waitMs = at - now;
    if (waitMs <= maxWaitMs) state.times.push(at);
    setNewest(this.#buckets, bucket, state, this.#bounds.maxKeys);
    return { admitted: waitMs <= maxWaitMs, waitMs };
  }

  async holdBack(bucket: string, ms: number) {
    const state = this.#buckets.get(bucket) ?? { times: [], blockedUntil: 0 };
    state.blockedUntil = Math.max(state.blockedUntil, this.now() + ms);
    setNewest(this.#buckets, bucket, state, this.#bounds.maxKeys);
  }

  // Each operation runs to its end without an await, so none interleaves with another.
  #check(scopes: readonly HitScope[], windowMs: number, now: number): HitCheck {
    return combineChecks(
      scopes.map(({ key, limit }) =>
        checkLog(
          this.#log(key, windowMs, now).map((h) => h.at),
          limit,
          windowMs,
          now,
        ),
      ),
    );
  }

  #add(keys: readonly string[], windowMs: number, token: string, now: number): void {
    for (const key of keys) {
      const log = this.#log(key, windowMs, now);
      log.push({ token, at: now });
      setNewest(this.#hits, key, log, this.#bounds.maxKeys);
    }
  }

  async inheritPace(bucket: string, from: string) {
    const source = this.#buckets.get(from);
    if (!source || (this.#buckets.get(bucket)?.times.length ?? 0) > 0) return;
    setNewest(this.#buckets, bucket, { times: [...source.times], blockedUntil: source.blockedUntil }, this.#bounds.maxKeys);
  }

  async paceLoad(windowMs: number, max: number) {
    const now = this.now();
    const loads = [...this.#buckets].map(([bucket, { times, blockedUntil }]) => ({
      bucket,
      calls: times.length - firstAfter(times, now - windowMs),
      heldUntil: blockedUntil > now ? blockedUntil : null,
    }));
    return busiest(loads, max);
  }

  async hitCheck(scopes: readonly HitScope[], windowMs: number): Promise<HitCheck> {
    return this.#check(scopes, windowMs, this.now());
  }

  async hitAdmit(scopes: readonly HitScope[], windowMs: number, token: string): Promise<HitCheck> {
    const now = this.now();
    const check = this.#check(scopes, windowMs, now);
    if (check.admitted)
      this.#add(
        scopes.map((s) => s.key),
        windowMs,
        token,
        now,
      );
    return check;
  }

  async hitAdd(keys: readonly string[], windowMs: number, token: string) {
    this.#add(keys, windowMs, token, this.now());
  }

  async hitRemove(keys: readonly string[], token: string) {
    for (const key of keys) {
      const log = this.#hits.get(key);
      const at = log?.findIndex((h) => h.token === token) ?? -1;
      if (at >= 0) log!.splice(at, 1);
    }
  }

  /** The log of `key` without what has left the window. */
  #log(key: string, windowMs: number, now: number): Hit[] {
    const log = this.#hits.get(key) ?? [];
    let expired = 0;
    while (expired < log.length && log[expired]!.at <= now - windowMs) expired++;
    log.splice(0, expired);
    return log;
  }

  async setFlag(name: string, ttlMs: number) {
    setNewest(this.#flags, name, this.now() + ttlMs, this.#bounds.maxKeys);
  }

  async hasFlag(name: string) {
    return (this.#flags.get(name) ?? 0) > this.now();
  }

  async mergeClients(deltas: readonly ClientCounts[], { maxClients, othersKey }: ClientsLimits) {
    for (const delta of deltas) {
      let key = `${delta.account_id}\u0000${delta.user_agent}`;
      let { account_id, user_agent } = delta;
      if (!this.#clients.has(key) && this.#clients.size >= maxClients) {
        key = othersKey;
        account_id = user_agent = othersKey;
      }
      const entry = this.#clients.get(key);
      this.#clients.set(key, entry ? mergeCounts(entry, delta) : { ...delta, account_id, user_agent, counts: { ...delta.counts } });
    }
  }

  async clients() {
    return { since: this.#since, clients: [...this.#clients.values()].map((c) => ({ ...c, counts: { ...c.counts } })) };
  }

  async addHourCounts(counts: readonly HourCount[], { maxSeriesPerHour, othersSeries }: HourLimits) {
    for (const { hour, series, count } of counts) {
      const hourCounts = this.#hours.get(hour) ?? new Map<string, number>();
      const name = hourCounts.has(series) || hourCounts.size < maxSeriesPerHour ? series : othersSeries;
      hourCounts.set(name, (hourCounts.get(name) ?? 0) + count);
      this.#hours.set(hour, hourCounts);
    }
  }

  async hourCounts(since: number) {
    const out: HourCount[] = [];
    for (const [hour, counts] of this.#hours) if (hour >= since) for (const [series, count] of counts) out.push({ hour, series, count });
    return out;
  }

  async admitPlacement(placement: Placement, windowSince: number | null): Promise<Admission> {
    const sameId = this.#placements.get(placement.alternative_order_id);
    const step = admissionStep(placement, sameId, windowSince === null ? undefined : this.#newestLive(placement.fingerprint, windowSince));
    if (step.kind === "earlier") return { admitted: false, earlier: { ...step.placement } };
    if (step.kind === "reopen") Object.assign(sameId!, reopened(placement));
    else this.#addPlacement({ ...placement });
    return { admitted: true };
  }

  #addPlacement(placement: Placement): void {
    this.#placements.set(placement.alternative_order_id, placement);
    if (placement.fingerprint !== null) {
      const ids = this.#byFingerprint.get(placement.fingerprint) ?? new Set<string>();
      this.#byFingerprint.set(placement.fingerprint, ids.add(placement.alternative_order_id));
    }
    if (this.#placements.size > this.#bounds.maxPlacements) this.#forgetPlacement(this.#placements.keys().next().value!);
  }

  #forgetPlacement(id: string): void {
    const fingerprint = this.#placements.get(id)?.fingerprint;
    this.#placements.delete(id);
    if (fingerprint === null || fingerprint === undefined) return;
    const ids = this.#byFingerprint.get(fingerprint);
    ids?.delete(id);
    if (ids?.size === 0) this.#byFingerprint.delete(fingerprint);
  }

  #newestLive(fingerprint: string | null, since: number): Placement | undefined {
    let newest: Placement | undefined;
    for (const id of (fingerprint !== null && this.#byFingerprint.get(fingerprint)) || []) {
      const p = this.#placements.get(id)!;
      if (liveSince(p, since) && (!newest || p.created_at >= newest.created_at)) newest = p;
    }
    return newest;
  }

  async getPlacement(alternativeOrderId: string) {
    const placement = this.#placements.get(alternativeOrderId);
    return placement && { ...placement };
  }

  async settlePlacements(outcomes: readonly PlacementOutcome[]) {
    for (const outcome of outcomes) {
      const placement = this.#placements.get(outcome.alternative_order_id);
      if (placement) Object.assign(placement, settled(outcome));
    }
  }

  async listPlacements({ state, account_id, limit, cursor }: PlacementFilter): Promise<PlacementPage> {
    const placements: Placement[] = [];
    const newestFirst = [...this.#placements.values()].sort(
      (a, b) => b.created_at - a.created_at || (a.alternative_order_id < b.alternative_order_id ? 1 : -1),
    );
    for (const p of newestFirst) {
      if (!isAfterCursor(p, cursor)) continue;
      if ((state && p.state !== state) || (account_id && p.account_id !== account_id)) continue;
      if (placements.length === limit) return { placements, next: placements.at(-1)! };
      placements.push({ ...p });
    }
    return { placements, next: null };
  }

  async countPlacements(state: PlacementState) {
    let count = 0;
    for (const p of this.#placements.values()) if (p.state === state) count++;
    return count;
  }

  async claimPlacement(alternativeOrderId: string, claim: Claim): Promise<ClaimResult> {
    const placement = this.#placements.get(alternativeOrderId);
    if (!placement || !claimable(placement, claim.owner, claim.now)) return { claimed: false, placement: placement && { ...placement } };
    Object.assign(placement, claimed(claim));
    return { claimed: true, placement: { ...placement } };
  }

  async sharedSecret(name: string, candidate: string) {
    if (!this.#secrets.has(name)) this.#secrets.set(name, candidate);
    return this.#secrets.get(name)!;
  }

  async sweep({ now, ledgerRetentionMs, clientsRetentionMs }: SweepLimits) {
    for (const [id, p] of this.#placements) {
      if (p.created_at < now - ledgerRetentionMs) this.#forgetPlacement(id);
      else if (isAbandoned(p, now)) Object.assign(p, abandoned(now));
    }
    for (const [key, c] of this.#clients) if (c.last_seen < now - clientsRetentionMs) this.#clients.delete(key);
    for (const hour of this.#hours.keys()) if (hour < now - clientsRetentionMs) this.#hours.delete(hour);
  }

  // Replicas' beats, for the dashboard's health.
  readonly #beats = new Map<string, ReplicaBeat>();

  async beat(beat: ReplicaBeat, forgetBefore: number) {
    setNewest(this.#beats, beat.replica, { ...beat }, this.#bounds.maxKeys);
    for (const [replica, { at }] of this.#beats) if (at < forgetBefore) this.#beats.delete(replica);
  }

  async replicas(since: number) {
    return latestFirst([...this.#beats.values()].filter((b) => b.at >= since).map((b) => ({ ...b })));
  }

  async ping() {}

  async close() {}
}
