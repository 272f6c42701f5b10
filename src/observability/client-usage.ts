import { isShimEndpoint, type ServedPath } from "../contract/surface.js";
import type { ClientCounts, ClientsView, Flags } from "../state/store.js";
import { CLIENT_CLOSED_REQUEST, type RequestRecord } from "./request-log.js";
import { familyOf, HourTally, latencyBucketOf, OTHER_SERIES, type PathKind } from "./usage-series.js";

const OUTCOMES = ["ordered", "read", "refused_by_validation", "refused_by_v2", "failed_upstream"] as const;
/** How a legacy call ended, for the migration's view of who still calls v1. */
export type Outcome = (typeof OUTCOMES)[number];
/** Besides its outcome, a call made during one of its account's brownouts (refused or served) is counted here too. */
export const DURING_BROWNOUTS = "during_brownouts";
/** Beside the outcomes, the clients view counts the calls answered as replays of an earlier identical order. */
const REPLAYED = "replayed";
const NO_COUNTS = Object.fromEntries([...OUTCOMES, DURING_BROWNOUTS, REPLAYED].map((o) => [o, 0])) as Record<
  Outcome | typeof DURING_BROWNOUTS | typeof REPLAYED,
  number
>;

/**
 * A refusal is v2's when v2 was asked; every other refusal (fields, credentials,
 * format, the migration plan's, whatever its status: a brownout's is a 503) is the shim's own.
 */
export function outcomeOf(record: Pick<RequestRecord, "status" | "v2_status" | "migration">): Outcome {
  if (record.migration === "brownout_refused" || record.migration === "sunset_refused") return "refused_by_validation";
  if (record.status >= 500) return "failed_upstream";
  if (record.status >= 400) return record.v2_status === undefined ? "refused_by_validation" : "refused_by_v2";
  return record.status === 201 ? "ordered" : "read";
}

/** How long one v2 answer, or one call v2 did not answer, counts as "recent" for the dashboard's health. */
export const V2_HEALTH_WINDOW_MS = 5 * 60_000;
export const V2_ANSWERED_FLAG = "v2:answered";
export const V2_UNANSWERED_FLAG = "v2:unanswered";

/** The pairs past the bound, counted together: verified callers, but no one account. */
export const OTHERS = "(others)";
/** Callers whose credentials were not accepted, however many ids and agents they make up, are one entry. */
export const UNVERIFIED = "(unverified)";
/** The entries that stand for many callers, not for one account. */
export const isManyCallers = (accountId: string): boolean => accountId === OTHERS || accountId === UNVERIFIED;

const SERVED_PATHS: Record<ServedPath, { method: string; path: PathKind }> = {
  "/order/code": { method: "POST", path: "orders" },
  "/order/:order_id": { method: "GET", path: "reads" },
  "/_shim/translate/order/code": { method: "POST", path: "translate" },
};
const PATH_OF_ROUTE = new Map(Object.entries(SERVED_PATHS));

/** Which path a call took: HEAD reads as GET does; any other method, or route, is "other". */
export function pathOf(record: Pick<RequestRecord, "route" | "method">): PathKind {
  const served = PATH_OF_ROUTE.get(record.route);
  const method = record.method === "HEAD" ? "GET" : record.method;
  return served && served.method === method ? served.path : "other";
}

/**
 * What a client waited for an order, counted for its latency: every order but those the shim
 * refused itself before v2 or the ledger was asked (fields, credentials, format), which are
 * answered at once and would hide how long orders take.
 */
const isTimedOrder = (path: PathKind, outcome: Outcome) => path === "orders" && outcome !== "refused_by_validation";
const clip = (text: string | undefined, max: number) => (text ?? "(none)").slice(0, max);

export interface ClientUsageOptions {
  /** Account/agent pairs kept apart, across every replica; later ones are counted under "(others)". */
  maxClients?: number;
  /** Series kept apart in one hour (a pair's outcome, an error code), across every replica. */
  maxSeriesPerHour?: number;
  /** How often this replica adds what it counted to the store. */
  flushMs?: number;
  retentionMs: number;
  now?: () => number;
}

/**
 * Who still calls v1, per legacy account id and User-Agent, in the state store,
 * so that every replica shows the same view and it outlives restarts. Each
 * replica counts in memory and adds its counts to the store every `flushMs`,
 * so a request costs the store nothing; a failed write is kept for the next.
 * Only callers whose credentials were accepted are counted apart. The same
 * flush adds the hour's counts per caller and error code, and whether v2
 * answered lately, for the dashboard.
 */
export class ClientUsage {
  #pending = new Map<string, ClientCounts>();
  #timer: NodeJS.Timeout | undefined;
  readonly #hours: HourTally;
  #v2Answered = false;
  #v2Unanswered = false;
  readonly #maxClients: number;
  readonly #maxSeriesPerHour: number;
  readonly #now: () => number;

  constructor(
    private readonly store: ClientsView & Flags,
    private readonly options: ClientUsageOptions,
  ) {
    this.#maxClients = options.maxClients ?? 1_000;
    this.#maxSeriesPerHour = options.maxSeriesPerHour ?? 10_000;
    this.#hours = new HourTally(this.#maxSeriesPerHour);
    this.#now = options.now ?? Date.now;
  }

  /** An observer of answered requests; the shim's own endpoints are not legacy calls. */
  readonly record = (record: RequestRecord): void => {
    // A request its client gave up on before sending it whole is no call to count.
    if (record.status === CLIENT_CLOSED_REQUEST) return;
    const path = pathOf(record);
    if (isShimEndpoint(record.path) && path !== "translate") return;
    const accepted = record.credentials_accepted === true;
    const at = this.#now();
    const account_id = accepted ? clip(record.account_id, 64) : UNVERIFIED;
    this.#hours.add(at, { kind: "path", account_id, path });
    if (path === "translate") return;
    const user_agent = accepted ? clip(record.user_agent, 256) : UNVERIFIED;
    const outcome = outcomeOf(record);
    const counts: Record<string, number> = { [outcome]: 1 };
    if (record.migration?.startsWith("brownout")) counts[DURING_BROWNOUTS] = 1;
    const replayed = record.replayed_from !== undefined;
    if (replayed) counts[REPLAYED] = 1;
    this.#add({ account_id, user_agent, first_seen: at, last_seen: at, counts });
    this.#hours.add(at, { kind: "call", account_id, user_agent, outcome });
    if (replayed) this.#hours.add(at, { kind: "replayed", account_id, user_agent });
    if (isTimedOrder(path, outcome))
      this.#hours.add(at, { kind: "order_latency", account_id, bucket: latencyBucketOf(record.duration_ms) });
    const codes = (record.errors ?? []).map((code) => clip(code, 128));
    for (const family of new Set(codes.map(familyOf))) this.#hours.add(at, { kind: "v1_family", family, status: record.status });
    for (const code of codes) {
      this.#hours.add(at, { kind: "v1_error", code, status: record.status });
      if (outcome === "refused_by_v2" || outcome === "failed_upstream") {
        this.#hours.add(at, { kind: "v2_error", v2_status: String(record.v2_status ?? "none").slice(0, 32), code });
      }
    }
    // A number is v2's status: it answered. Any other word but "paced" is why it did not.
    if (typeof record.v2_status === "number") this.#v2Answered = true;
    else if (record.v2_status !== undefined && record.v2_status !== "paced") this.#v2Unanswered = true;
  };

  #add(delta: ClientCounts): void {
    let key = `${delta.account_id}\u0000${delta.user_agent}`;
    if (!this.#pending.has(key) && this.#pending.size >= this.#maxClients) key = OTHERS;
    const entry = this.#pending.get(key);
    if (!entry) {
      this.#pending.set(key, key === OTHERS ? { ...delta, account_id: OTHERS, user_agent: OTHERS } : delta);
      return;
    }
    entry.first_seen = Math.min(entry.first_seen, delta.first_seen);
    entry.last_seen = Math.max(entry.last_seen, delta.last_seen);
    for (const [name, n] of Object.entries(delta.counts)) entry.counts[name] = (entry.counts[name] ?? 0) + n;
  }

  /** Adds what this replica counted to the store; kept for the next time if the store cannot take it. */
  async flush(): Promise<void> {
    await Promise.all([this.#flushClients(), this.#flushHours(), this.#flushV2Health()]);
  }

  async #flushClients(): Promise<void> {
    if (this.#pending.size === 0) return;
    const batch = [...this.#pending.values()];
    this.#pending = new Map();
    try {
      await this.store.mergeClients(batch, { maxClients: this.#maxClients, othersKey: OTHERS });
    } catch (error) {
      for (const delta of batch) this.#add(delta);
      throw error;
    }
  }

  async #flushHours(): Promise<void> {
    const counts = this.#hours.take();
    if (counts.length === 0) return;
    try {
      await this.store.addHourCounts(counts, { maxSeriesPerHour: this.#maxSeriesPerHour, othersSeries: OTHER_SERIES });
    } catch (error) {
      this.#hours.putBack(counts);
      throw error;
    }
  }

  async #flushV2Health(): Promise<void> {
    const flags = [this.#v2Answered && V2_ANSWERED_FLAG, this.#v2Unanswered && V2_UNANSWERED_FLAG].filter((f) => f !== false);
    this.#v2Answered = this.#v2Unanswered = false;
    await Promise.all(flags.map((flag) => this.store.setFlag(flag, V2_HEALTH_WINDOW_MS)));
  }

  start(): void {
    this.#timer = setInterval(() => void this.flush().catch(() => undefined), this.options.flushMs ?? 1_000);
    this.#timer.unref();
  }

  /** Stops counting on a timer and writes what is left. */
  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.flush().catch(() => undefined);
  }

  /** The most recently seen first, what this replica counted included; throws when the store is down. */
  async report() {
    await this.flush();
    const { since, clients } = await this.store.clients();
    const iso = (ms: number) => new Date(ms).toISOString();
    return {
      since: iso(Math.max(since, this.#now() - this.options.retentionMs)),
      clients: clients
        .sort((a, b) => b.last_seen - a.last_seen)
        .map((client) => ({
          ...client,
          first_seen: iso(client.first_seen),
          last_seen: iso(client.last_seen),
          counts: { ...NO_COUNTS, ...client.counts },
        })),
    };
  }
}
