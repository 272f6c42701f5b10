import { replySummary, type Placement as V2Placement } from "../contract/v2-reply.js";
import type { OrderLedger, PlacementOutcome } from "../state/store.js";
import type { Clock } from "../v2/retry-timing.js";

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

/** What an operator reconciles by: the request, its account and the order's id. */
export type Trace = { alternative_order_id: string; account_id: string; req_id: string };

export interface OutcomeWriterOptions {
  replicaId: string;
  /** A write that failed, with all an operator needs to reconcile without the ledger. */
  onWriteFailure(write: "placing" | "outcome", record: Record<string, unknown>): void;
  clock: Pick<Clock, "now" | "sleep">;
}

/**
 * Writes how placements ended into the order ledger, updating each record in
 * place: soon and together, without holding the client's answer back for it
 * (`flush` writes what is left). An outcome lost with the process leaves its
 * record `placing`, which the sweep turns `unknown` once its lease runs out. A
 * failure is reported, never thrown: the order is placed whatever the ledger says.
 */
export class OutcomeWriter {
  #pending: { trace: Trace; outcome: PlacementOutcome }[] = [];
  /** Resolves, true once written, when the pending batch's write ends. */
  #batch: Promise<boolean> | undefined;
  #release: (() => void) | undefined;
  readonly #writing = new Set<Promise<boolean>>();

  constructor(
    private readonly store: OrderLedger,
    private readonly options: OutcomeWriterOptions,
  ) {}

  /**
   * Written with the others of the next SETTLE_EVERY_MS, or at once with `now` (and
   * whatever waits). Resolves once the write ended: true when it is in the store,
   * false when it failed (and was reported).
   */
  settle(trace: Trace, ended: Omit<PlacementOutcome, "alternative_order_id" | "at">, now = false): Promise<boolean> {
    this.#pending.push({ trace, outcome: { alternative_order_id: trace.alternative_order_id, ...ended, at: this.options.clock.now() } });
    if (!this.#batch) {
      let release!: () => void;
      const due = new Promise<void>((resolve) => (release = resolve));
      this.#release = release;
      void this.options.clock.sleep(SETTLE_EVERY_MS).then(release);
      this.#batch = due.then(() => this.#write());
    }
    const batch = this.#batch;
    if (now || this.#pending.length >= SETTLE_BATCH) this.#release?.();
    return batch;
  }

  #write(): Promise<boolean> {
    const batch = this.#pending;
    this.#pending = [];
    this.#batch = undefined;
    this.#release = undefined;
    if (batch.length === 0) return Promise.resolve(true);
    const write = this.store.settlePlacements(batch.map((b) => b.outcome)).then(
      () => true,
      () => {
        for (const { trace, outcome } of batch)
          this.options.onWriteFailure("outcome", { ...trace, replica: this.options.replicaId, ...outcome });
        return false;
      },
    );
    this.#writing.add(write);
    void write.finally(() => this.#writing.delete(write));
    return write;
  }

  /** Writes every outcome not yet written, and resolves once all are in the store (or reported as failed). */
  async flush(): Promise<void> {
    this.#release?.();
    await this.#batch;
    await Promise.all(this.#writing);
  }
}
