import { replySummary, type Placement as V2Placement } from "../contract/v2-reply.js";
import { StateUnavailable } from "./resilient.js";
import type { Placement, PlacementOutcome, StateStore } from "./store.js";

/** A placing record's lease: the order's deadline, and this much more, before it counts as abandoned. */
const LEASE_MARGIN_MS = 10_000;

interface LedgerOptions {
  replicaId: string;
  /** The order's deadline (SHIM_DEADLINE_MS): how long a placement may take. */
  deadlineMs: number;
  /** Fail closed: an order whose placing record cannot be written is not sent. */
  required: boolean;
  /** A write that failed, with all an operator needs to reconcile without the ledger. */
  onWriteFailure(write: "placing" | "outcome", record: Record<string, unknown>): void;
  now?: () => number;
}

/** How a placement ended, as the ledger says it. */
export function ledgerOutcome(placement: V2Placement): Omit<PlacementOutcome, "alternative_order_id" | "at"> {
  switch (placement.kind) {
    case "created":
    case "found":
      return { state: "created", v2_order_id: placement.orderId, v2_status: placement.kind === "found" ? "found" : 201 };
    case "refused":
      return { state: "refused", v2_order_id: null, v2_status: replySummary(placement.reply) };
    case "gave_up":
      return { state: placement.uncertain ? "unknown" : "failed", v2_order_id: null, v2_status: replySummary(placement.last) };
  }
}

/** Outcomes are written together, this often or this many at once: one write for many orders. */
const SETTLE_EVERY_MS = 50;
const SETTLE_BATCH = 256;

type Trace = { alternative_order_id: string; account_id: string; req_id: string };

/**
 * The order ledger: a `placing` record before an order is sent, its outcome
 * once known. The store's failure never costs an order (fail open): the write
 * that failed is handed to `onWriteFailure` to be logged, and the order goes on;
 * unless the store is required, when an order without its placing record is refused.
 */
export class OrderLedger {
  readonly #now: () => number;
  #pending: { trace: Trace; outcome: PlacementOutcome }[] = [];
  #timer: NodeJS.Timeout | undefined;
  readonly #writing = new Set<Promise<void>>();

  constructor(
    private readonly store: Pick<StateStore, "beginPlacement" | "settlePlacements">,
    private readonly options: LedgerOptions,
  ) {
    this.#now = options.now ?? Date.now;
  }

  /** Resolves once the placing record is written; throws StateUnavailable when it cannot be and the store is required. */
  async begin(order: Trace, fingerprint: string | null = null): Promise<void> {
    const now = this.#now();
    const { replicaId, deadlineMs } = this.options;
    const placement: Placement = {
      ...order,
      state: "placing",
      v2_order_id: null,
      v2_status: null,
      replica: replicaId,
      owner: replicaId,
      lease_until: now + deadlineMs + LEASE_MARGIN_MS,
      fingerprint,
      created_at: now,
      updated_at: now,
    };
    try {
      await this.store.beginPlacement(placement);
    } catch (error) {
      if (this.options.required) throw error instanceof StateUnavailable ? error : new StateUnavailable("beginPlacement");
      this.options.onWriteFailure("placing", { ...order, replica: replicaId });
    }
  }

  /**
   * Writes the outcome soon, with others, without holding the client's answer
   * back for it (`flush` writes what is left). A placing record is what must be
   * in the store before the send; an outcome lost with the process leaves its
   * record `placing`, which the sweep turns `unknown` once its lease runs out.
   * A failure is reported, never thrown: the order is placed whatever the ledger says.
   */
  settle(trace: Trace, placement: V2Placement): void {
    this.#pending.push({
      trace,
      outcome: { alternative_order_id: trace.alternative_order_id, ...ledgerOutcome(placement), at: this.#now() },
    });
    if (this.#pending.length >= SETTLE_BATCH) this.#write();
    else this.#timer ??= setTimeout(() => this.#write(), SETTLE_EVERY_MS);
  }

  #write(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const batch = this.#pending;
    if (batch.length === 0) return;
    this.#pending = [];
    const write = this.store.settlePlacements(batch.map((b) => b.outcome)).then(
      () => undefined,
      () => {
        for (const { trace, outcome } of batch)
          this.options.onWriteFailure("outcome", { ...trace, replica: this.options.replicaId, ...outcome });
      },
    );
    this.#writing.add(write);
    void write.finally(() => this.#writing.delete(write));
  }

  /** Writes every outcome not yet written, and resolves once all are in the store (or reported as failed). */
  async flush(): Promise<void> {
    this.#write();
    await Promise.all(this.#writing);
  }
}
