import { lookupAnswer } from "../contract/v2-reply.js";
import type { Logger } from "../observability/log.js";
import type { OrderLedger, Placement } from "../state/store.js";
import type { CallLimits, V2Client } from "../v2/client.js";

export interface ReconcilerOptions {
  /** How often a round runs; an entry whose look-up failed waits twice as long each time, up to `forMs`. */
  intervalMs: number;
  /** An entry not settled this long after it was placed is left to an operator, with an error line. */
  forMs: number;
  /** SHIM_REPLICA_ID; the reconciler claims records as `<replica>:reconciler`, an owner apart from the replica's requests. */
  replicaId: string;
  /** One look-up's limits: its timeout, and how long it may wait for a pacing slot. */
  limits: CallLimits;
  now?: () => number;
}

/** Entries taken per round: a backlog is worked through over several rounds. */
const PER_ROUND = 50;
/** A claimed entry's lease: its look-up's timeout, and this much more, before another replica may take it. */
const LEASE_MARGIN_MS = 10_000;

/**
 * Settles the order ledger's `unknown` entries without waiting for a client's
 * retry: each is looked up in v2 by its alternative_order_id, and recorded as
 * `created` (with v2's order id) or `failed` (v2 holds none, so the order leaves
 * the retry window). Every replica runs one; an entry is claimed in the ledger
 * (as a client's retry claims one) while it is looked up, so one replica or
 * request at a time works it. It needs the account's v2 key, so it runs in
 * accounts mode: in passthrough the key is the client's own credential, which is
 * never kept.
 */
export class Reconciler {
  readonly #now: () => number;
  readonly #retryAt = new Map<string, { at: number; waitMs: number }>();
  readonly #leftToOperator = new Set<string>();
  #timer: NodeJS.Timeout | undefined;
  #round: Promise<void> | undefined;

  constructor(
    private readonly store: OrderLedger,
    private readonly v2: Pick<V2Client, "findOrdersByAlternativeId">,
    /** The account's v2 key; undefined for an account no longer in the accounts file. */
    private readonly v2KeyOf: (accountId: string) => string | undefined,
    private readonly logger: Logger,
    private readonly options: ReconcilerOptions,
  ) {
    this.#now = options.now ?? Date.now;
  }

  start(): void {
    this.#timer = setInterval(() => {
      this.#round ??= this.round().finally(() => {
        this.#round = undefined;
      });
    }, this.options.intervalMs);
    this.#timer.unref();
  }

  /** Stops the rounds, and waits for the one under way. */
  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.#round;
  }

  /** One pass over the unknown entries. A store or v2 that cannot be reached now is tried at the next. */
  async round(): Promise<void> {
    let page: Placement[];
    try {
      ({ placements: page } = await this.store.listPlacements({ state: "unknown", limit: PER_ROUND }));
    } catch {
      return;
    }
    // What is remembered of each entry is kept only while it is on the page, so memory stays bounded.
    const onPage = new Set(page.map((p) => p.alternative_order_id));
    for (const id of this.#retryAt.keys()) if (!onPage.has(id)) this.#retryAt.delete(id);
    for (const id of this.#leftToOperator) if (!onPage.has(id)) this.#leftToOperator.delete(id);
    for (const placement of page) await this.#settle(placement);
  }

  async #settle(placement: Placement): Promise<void> {
    const { alternative_order_id: id, account_id } = placement;
    const now = this.#now();
    const trace = { alternative_order_id: id, account_id, req_id: placement.req_id };
    if (now - placement.created_at > this.options.forMs) {
      if (!this.#leftToOperator.has(id)) {
        this.#leftToOperator.add(id);
        this.logger.error(
          trace,
          "the reconciler could not settle this order in time: v2 may hold an order with this alternative_order_id; reconcile",
        );
      }
      return;
    }
    const retry = this.#retryAt.get(id);
    if (retry && retry.at > now) return;
    const key = this.v2KeyOf(account_id);
    if (key === undefined) return;
    try {
      const claim = await this.store.claimPlacement(id, {
        owner: `${this.options.replicaId}:reconciler`,
        leaseUntil: now + this.options.limits.timeoutMs + LEASE_MARGIN_MS,
        now,
      });
      if (!claim.claimed) return;
      const answer = lookupAnswer(await this.v2.findOrdersByAlternativeId(id, key, this.options.limits, 1));
      if (answer === "failed") {
        // Given back as it was, to be looked up again later.
        await this.store.settlePlacements([
          { alternative_order_id: id, state: "unknown", v2_order_id: null, v2_status: claim.placement.v2_status, at: now },
        ]);
        const waitMs = Math.min((retry?.waitMs ?? this.options.intervalMs) * 2, this.options.forMs);
        this.#retryAt.set(id, { at: now + waitMs, waitMs });
        return;
      }
      const found = answer === "none" ? null : answer.found[0]!;
      await this.store.settlePlacements([
        { alternative_order_id: id, state: found === null ? "failed" : "created", v2_order_id: found, v2_status: "reconciled", at: now },
      ]);
      this.#retryAt.delete(id);
      if (found === null) this.logger.info(trace, "reconciled: v2 holds no order with this alternative_order_id; recorded as failed");
      else this.logger.warn({ ...trace, v2_order_id: found }, "reconciled: v2 holds this order; recorded as created");
    } catch (error) {
      this.logger.warn(
        { ...trace, reason: error instanceof Error ? error.name : "unknown" },
        "the reconciler could not settle this order now; it tries again",
      );
    }
  }
}
