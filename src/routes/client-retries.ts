import { setTimeout as sleep } from "node:timers/promises";
import type { Placement, PlacementOutcome, StateStore } from "../state/store.js";

/** How a placement ended, as far as a retry of it needs to know. */
type Ended = Pick<PlacementOutcome, "state" | "v2_order_id">;

/** What a request inside the window is to do. */
export type RetryPlan =
  /** Nothing identical is in the window (or it made nothing): a new order, its fingerprint in the ledger. */
  | { kind: "new" }
  /** The earlier placement made the order: answer with it, send nothing. */
  | { kind: "replay"; from: Placement; orderId: number }
  /** The earlier placement's outcome is unknown, and this request holds it now: look it up by its id, place it with that id if v2 has none. */
  | { kind: "take_over"; from: Placement }
  /** The earlier placement is still in flight past this request's deadline. */
  | { kind: "busy"; from: Placement };

/** What a request with an Idempotency-Key is to do. */
export type KeyedPlan =
  /** The key's first request, or its first since the one before made nothing: placed with the key's id, v2 asked first. */
  | { kind: "new" }
  | Extract<RetryPlan, { kind: "replay" | "take_over" }>
  /** The key's first request is still being placed. */
  | { kind: "in_progress"; from: Placement }
  /** The key was used with another order. */
  | { kind: "reused" };

interface RetryWindowOptions {
  windowMs: number;
  replicaId: string;
  /** A take-over's hold: one placement's deadline. */
  holdMs: number;
  /** How long an Idempotency-Key is held to its first order: as long as the ledger keeps it. */
  keyMs: number;
}

/** How often a request waiting on another replica's placement reads the ledger again. */
const POLL_MS = 100;
/** How long a placement that the log admitted may take to show in the ledger before it is taken to have none. */
const NOT_THERE_MS = 2_000;
/** How long this replica remembers how its placements ended: well past the ledger's batched write of the outcome. */
const KEEP_ENDED_MS = 10_000;

/**
 * Client retries, found by fingerprint. The first request with a fingerprint is
 * admitted to a one-entry sliding log in the store (atomic on every backend, so two
 * replicas racing admit one); a later one inside the window finds the first in the
 * ledger and waits for it, replays it, or takes over its look-up. Placements of this
 * replica are awaited here, not polled, and a `placing` record this replica owns but
 * is not working on was left by a process that died.
 */
export class RetryWindow {
  readonly #working = new Map<string, Promise<Ended>>();

  constructor(
    private readonly store: Pick<StateStore, "hitAdmit" | "hitRemove" | "listPlacements">,
    private readonly options: RetryWindowOptions,
  ) {}

  get enabled(): boolean {
    return this.options.windowMs > 0;
  }

  /** Decides, before anything is sent, what `alternativeOrderId`'s request with `fingerprint` is to do; by `deadline` (performance.now()). */
  async plan(fingerprint: string, alternativeOrderId: string, deadline: number): Promise<RetryPlan> {
    const key = fingerprintLog(fingerprint);
    for (;;) {
      const { admitted } = await this.store.hitAdmit([{ key, limit: 1 }], this.options.windowMs, alternativeOrderId);
      if (admitted) return { kind: "new" };
      const earlier = await this.#wait(fingerprint, deadline);
      // The log says there is one, the ledger has none (its write failed, or it is past retention): as before the window.
      if (!earlier) return { kind: "new" };
      if (earlier.state === "created" && earlier.v2_order_id !== null)
        return { kind: "replay", from: earlier, orderId: earlier.v2_order_id };
      if (earlier.state === "placing" && this.#alive(earlier)) return { kind: "busy", from: earlier };
      if (earlier.state === "unknown" || earlier.state === "placing") {
        const hold = await this.store.hitAdmit(
          [{ key: `retry-hold:${earlier.alternative_order_id}`, limit: 1 }],
          this.options.holdMs,
          alternativeOrderId,
        );
        if (hold.admitted) return { kind: "take_over", from: earlier };
        if (performance.now() >= deadline) return { kind: "busy", from: earlier };
      }
      // Refused or failed, it made nothing and took itself out of the log: the next one admitted is a new order.
      else if (performance.now() >= deadline) return { kind: "new" };
      await sleep(POLL_MS);
    }
  }

  /**
   * A request with an Idempotency-Key, whose order is placed as `alternativeOrderId`
   * (the key's): the first is admitted to the key's one-entry log; a later one finds
   * it in the ledger by `fingerprint`, or was sent with another order.
   */
  async planKeyed(fingerprint: string, alternativeOrderId: string, token: string): Promise<KeyedPlan> {
    const { admitted } = await this.store.hitAdmit([{ key: keyLog(alternativeOrderId), limit: 1 }], this.options.keyMs, token);
    const earlier = await this.#keyed(fingerprint, alternativeOrderId, admitted);
    if (admitted) return earlier ? { kind: "take_over", from: earlier } : { kind: "new" };
    if (!earlier) return { kind: "reused" };
    // This replica's own placement: how it ended, if it has (its record may say `placing` a moment longer).
    const here = this.#working.get(alternativeOrderId);
    const ended = here && (await Promise.race([here, Promise.resolve(undefined)]));
    if (here ? !ended : earlier.state === "placing" && this.#alive(earlier)) return { kind: "in_progress", from: earlier };
    const state = ended ?? earlier;
    if (state.state === "created" && state.v2_order_id !== null) return { kind: "replay", from: earlier, orderId: state.v2_order_id };
    const hold = await this.store.hitAdmit([{ key: `retry-hold:${alternativeOrderId}`, limit: 1 }], this.options.holdMs, token);
    return hold.admitted ? { kind: "take_over", from: earlier } : { kind: "in_progress", from: earlier };
  }

  /** The key's placement made nothing: its next request places the order again (v2 asked first). */
  async keyMadeNothing(alternativeOrderId: string, token: string): Promise<void> {
    await this.store.hitRemove([keyLog(alternativeOrderId)], token);
  }

  /** The key's placement with this fingerprint, if the ledger has one; the first request's record may be on its way. */
  async #keyed(fingerprint: string, alternativeOrderId: string, first: boolean): Promise<Placement | undefined> {
    const by = performance.now() + (first ? 0 : NOT_THERE_MS);
    for (;;) {
      const { placements } = await this.store.listPlacements({ fingerprint, limit: 100 });
      const found = placements.find((p) => p.alternative_order_id === alternativeOrderId);
      if (found || performance.now() >= by) return found;
      await sleep(POLL_MS);
    }
  }

  /** Marks `alternativeOrderId` in flight here, before its record is written; the returned function says how it ended. */
  working(alternativeOrderId: string): (ended: Ended) => void {
    let end!: (ended: Ended) => void;
    const done = new Promise<Ended>((resolve) => (end = resolve));
    this.#working.set(alternativeOrderId, done);
    return (ended) => {
      end(ended);
      // Kept a while: the outcome reaches the store a moment later, and until then the record still says `placing`.
      setTimeout(() => this.#working.get(alternativeOrderId) === done && this.#working.delete(alternativeOrderId), KEEP_ENDED_MS).unref();
    };
  }

  /** A placement that made nothing leaves the window: the client's next identical order is a new one. */
  async madeNothing(fingerprint: string, alternativeOrderId: string): Promise<void> {
    await this.store.hitRemove([fingerprintLog(fingerprint)], alternativeOrderId);
  }

  /** A `placing` record is alive while its lease runs and, when this replica owns it, while this replica works on it. */
  #alive(p: Placement): boolean {
    if (p.owner === this.options.replicaId && !this.#working.has(p.alternative_order_id)) return false;
    return p.lease_until !== null && p.lease_until >= Date.now();
  }

  /** The newest placement with `fingerprint`, once it is no longer in flight (or its replica died), or `deadline` passed. */
  async #wait(fingerprint: string, deadline: number): Promise<Placement | undefined> {
    const notThereBy = Math.min(deadline, performance.now() + NOT_THERE_MS);
    for (;;) {
      const earlier = (await this.store.listPlacements({ fingerprint, limit: 1 })).placements[0];
      if (earlier) {
        const here = this.#working.get(earlier.alternative_order_id);
        if (here) return { ...earlier, ...(await here) };
        if (earlier.state !== "placing" || !this.#alive(earlier)) return earlier;
      }
      if (performance.now() >= (earlier ? deadline : notThereBy)) return earlier;
      // Not in the ledger yet (its placing record is on its way), or still in flight on another replica.
      await sleep(POLL_MS);
    }
  }
}

const fingerprintLog = (fingerprint: string) => `retry:${fingerprint}`;
const keyLog = (alternativeOrderId: string) => `idempotency:${alternativeOrderId}`;
