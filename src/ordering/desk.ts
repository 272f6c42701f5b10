import { randomBytes } from "node:crypto";
import { setTimeout as delay } from "node:timers/promises";
import type { V1Order } from "../contract/v1-order.js";
import type { V2OrderBody, V2Product } from "../contract/v2.js";
import type { Placement as V2Placement } from "../contract/v2-reply.js";
import { type Logger, logBeforeActing } from "../observability/log.js";
import { madeNothing } from "../state/placement-rules.js";
import type { OrderLedger, Placement, PlacementOutcome } from "../state/store.js";
import { newAlternativeOrderId } from "../v2/alternative-order-id.js";
import type { Clock, RetryPolicy } from "../v2/retry-timing.js";
import { keyedAlternativeOrderId, orderFingerprint, orderingIdentity } from "./fingerprint.js";
import { ledgerOutcome, OutcomeWriter, type Trace } from "./ledger.js";
import { type OrderToPlace, placeOrder, type V2Ordering } from "./placement.js";

/** One legacy request's order, validated and translated. */
export interface OrderRequest {
  requestId: string;
  accountId: string;
  v2ApiKey: string;
  /** The v1 order as the client meant it: what its retries are recognised by. */
  order: V1Order;
  product: V2Product;
  /** The v2 payload; its alternative_order_id is the desk's to set. */
  body: V2OrderBody;
  idempotencyKey?: string | undefined;
  /** How long the request may still take, its answer written included. */
  budgetMs: number;
  /** Told the order's alternative_order_id before it is sent: what a process stopping mid-order reconciles by. */
  placing?(alternativeOrderId: string): void;
}

/** How a request's order ended at the desk. */
export type DeskAnswer =
  /** Placed with v2 (made, found by a look-up, refused, or given up on): `placement` says which. */
  | {
      kind: "placed";
      alternativeOrderId: string;
      placement: V2Placement;
      sends: number;
      lookups: number;
      v2LatencyMs: number;
      /** A retry that took over an earlier placement whose outcome was unknown: that request's req_id. */
      replayedFrom?: string;
    }
  /** A retry of an order already made: answered with it, nothing sent. */
  | { kind: "replayed"; alternativeOrderId: string; orderId: number; replayedFrom: string }
  /** The same order is still being placed by another request, past this one's deadline. */
  | { kind: "busy"; alternativeOrderId: string; replayedFrom: string }
  /** The Idempotency-Key's first request is still being placed. */
  | { kind: "key_in_progress"; alternativeOrderId: string; replayedFrom: string }
  /** The Idempotency-Key was used with another order. */
  | { kind: "key_reused" }
  /** The store is down and required (SHIM_STATE_REQUIRED=true): nothing was sent. */
  | { kind: "state_unavailable" };

export interface DeskOptions {
  /** SHIM_REPLICA_ID: whose placements are whose. */
  replicaId: string;
  /** Accounts mode checks the account's key itself; in passthrough v2 judges the key, which is then part of who orders. */
  identity: "account" | "key";
  /** SHIM_RETRY_WINDOW_MS; 0: every request without a key is a new order. */
  windowMs: number;
  /** SHIM_STATE_REQUIRED: while the store cannot be used, refuse (503) rather than place without it. */
  required: boolean;
  /** Attempts, timeouts and backoff of each placement; its deadline is the request's. */
  policy: Omit<RetryPolicy, "deadlineMs">;
  /** SHIM_RETRY_FINGERPRINT_KEY; unset, the secret is made once and kept in the store. */
  fingerprintKey?: string | undefined;
}

/** What the desk takes from the world, so that a simulation can give it another one (test/desk.simulation.test.ts). */
export interface DeskWorld {
  /** Epoch milliseconds: placements' times are compared across replicas. */
  clock: Clock;
  random(): number;
  /** A fresh alternative_order_id. */
  newId(): string;
}

export interface DeskEvents {
  /** The store could not be used and, failing open, an order went out without retry protection or a ledger record. */
  unprotected(): void;
  /** An outcome could not be written to the ledger (logged, with what is needed to reconcile). */
  ledgerWriteFailed(write: "placing" | "outcome"): void;
}

/** The world outside a simulation: the wall clock, timers, randomness. */
export const REAL_WORLD: DeskWorld = {
  clock: { now: () => Date.now(), sleep: (ms) => delay(ms) },
  random: Math.random,
  newId: newAlternativeOrderId,
};

/** A placing record's lease: the request's deadline, and this much more, before it counts as abandoned. */
const LEASE_MARGIN_MS = 10_000;
/** How often a request waiting on another replica's placement reads its record again. */
const POLL_MS = 100;
/** How long this replica remembers how its placements ended: well past the ledger's batched write of the outcome. */
const KEEP_ENDED_MS = 10_000;
/** What a store call that would outlast its request's deadline gives instead of an answer. */
const TOO_LATE: unique symbol = Symbol("too late");
/** The store's name for the secret the fingerprints are keyed with. */
const FINGERPRINT_SECRET = "retry-fingerprint";

/** How a placement ended, as far as a request behind it needs to know. */
type Ended = Pick<PlacementOutcome, "state" | "v2_order_id">;

/** A store call failed, or the store is down: what happens next is SHIM_STATE_REQUIRED's to say. */
class StoreTrouble extends Error {
  constructor(readonly operation: string) {
    super(`the state store could not be used (${operation})`);
    this.name = "StoreTrouble";
  }
}

/** A placement this process works on, or worked on lately. */
interface WorkedOn {
  /** The request working on it. */
  requestId: string;
  /** How it ended, once it has. */
  ended?: Ended;
  /** Its outcome is in the store: from then on the store's record is as fresh as this process knows. */
  settled: boolean;
  /** Resolves when it ended and the write of its outcome ended (written or not), or it was given up before it began. */
  done: Promise<void>;
}

/** A placement this process has taken to work on: it ends, or, when the store gave it to someone else, is let go. */
interface Reservation {
  end(ended: Ended, written: Promise<boolean>): void;
  release(): void;
}

/**
 * The placements this process is working on, and for KEEP_ENDED_MS after they
 * ended how they did. A request takes an id here before it asks the store for it
 * (its admission, or its claim), so that two requests of this process never both
 * think a record of this replica's was left by a process that died; and a request
 * behind one reads it here rather than a record it may have read before the
 * outcome's write. Ended ones are forgotten as new ones start, oldest first,
 * without a timer each.
 */
class Working {
  readonly #entries = new Map<string, WorkedOn>();
  /** Ended entries, in the order they ended. */
  readonly #ended: { id: string; entry: WorkedOn; at: number }[] = [];

  constructor(private readonly clock: Clock) {}

  get(id: string): WorkedOn | undefined {
    return this.#entries.get(id);
  }

  /** Takes `id` for `requestId`; undefined when this process works on it already. */
  reserve(id: string, requestId: string): Reservation | undefined {
    const now = this.clock.now();
    while (this.#ended.length > 0 && this.#ended[0]!.at + KEEP_ENDED_MS < now) {
      const { id: old, entry } = this.#ended.shift()!;
      if (this.#entries.get(old) === entry) this.#entries.delete(old);
    }
    const current = this.#entries.get(id);
    if (current && !current.ended) return undefined;
    let resolve!: () => void;
    const entry: WorkedOn = { requestId, settled: false, done: new Promise((r) => (resolve = r)) };
    this.#entries.set(id, entry);
    return {
      end: (ended, written) => {
        entry.ended = ended;
        void written.then((settled) => {
          entry.settled = settled;
          this.#ended.push({ id, entry, at: this.clock.now() });
          resolve();
        });
      },
      release: () => {
        if (this.#entries.get(id) === entry) this.#entries.delete(id);
        resolve();
      },
    };
  }
}

/**
 * The order desk: places each legacy order with v2 once. One call per request
 * (`place`), and every rule of "never two orders, never a lost one, never an
 * answer the caller's own credential did not earn" is here:
 *
 * - A request's order is admitted to the ledger, in one atomic write, before it is
 *   sent; the admission finds an earlier placement of the same order (same
 *   identity, same v1 order, inside SHIM_RETRY_WINDOW_MS), or of the same
 *   Idempotency-Key, instead of writing.
 * - Behind an earlier placement, a request replays it (made), waits for it (in
 *   flight), takes it over (outcome unknown, or its replica died: v2 asked first),
 *   or is admitted again (it made nothing: refused or failed leave the window).
 * - The `placing order` line is out of the process before anything is sent, the
 *   outcome is written in place after, and the reconciler settles what stays unknown.
 * - The store failing never answers 500: SHIM_STATE_REQUIRED refuses, otherwise the
 *   order is placed with its own id and without protection, said and counted.
 *
 * docs/reliability.md says it for operators.
 */
export class OrderDesk {
  readonly #working: Working;
  readonly #outcomes: OutcomeWriter;
  #secret: Promise<string> | undefined;

  constructor(
    private readonly store: OrderLedger,
    private readonly v2: V2Ordering,
    private readonly logger: Logger,
    private readonly options: DeskOptions,
    private readonly world: DeskWorld,
    private readonly events: DeskEvents,
  ) {
    this.#working = new Working(world.clock);
    this.#outcomes = new OutcomeWriter(store, {
      replicaId: options.replicaId,
      clock: world.clock,
      onWriteFailure: (write, record) => {
        events.ledgerWriteFailed(write);
        logger.error(record, `the order ledger could not be written (${write}): reconcile from this line`);
      },
    });
  }

  async place(request: OrderRequest): Promise<DeskAnswer> {
    const deadline = this.world.clock.now() + request.budgetMs;
    try {
      return await this.#admit(request, deadline);
    } catch (error) {
      if (!(error instanceof StoreTrouble)) throw error;
      if (this.options.required) return { kind: "state_unavailable" };
      const id = this.world.newId();
      this.events.unprotected();
      this.logger.warn(
        { req_id: request.requestId, account_id: request.accountId, alternative_order_id: id, operation: error.operation },
        "the state store cannot be used: this order is placed as a new one, without retry protection and without a ledger record; its log lines are its trace",
      );
      return this.#send(request, deadline, id, {});
    }
  }

  /**
   * The store answers again after it was down, and may have lost what it held (a
   * SQLite file deleted and made anew, a Redis without persistence restarted): the
   * secret in use is given to it again, so that it keeps the one every replica and
   * the next start will read, rather than making another.
   */
  storeIsBack(): void {
    const kept = this.#secret;
    if (!kept || this.options.fingerprintKey) return;
    this.#secret = kept
      .then((secret) => this.#ask("sharedSecret", () => this.store.sharedSecret(FINGERPRINT_SECRET, secret)))
      .catch((error: unknown) => {
        this.#secret = undefined;
        throw error;
      });
  }

  /** Writes every outcome not yet written; resolves once they are in the store (or reported). */
  flush(): Promise<void> {
    return this.#outcomes.flush();
  }

  /** Admits the request's order, or finds the placement it stands behind and deals with it. */
  async #admit(request: OrderRequest, deadline: number): Promise<DeskAnswer> {
    const { windowMs, identity: mode } = this.options;
    const keyed = request.idempotencyKey !== undefined;
    const windowed = !keyed && windowMs > 0;
    const secret = keyed || windowed ? await this.#fingerprintSecret() : undefined;
    const identity = orderingIdentity(mode, request.accountId, request.v2ApiKey);
    const fingerprint = secret === undefined ? null : orderFingerprint(secret, keyed ? "key" : "window", identity, request.order);
    for (;;) {
      const id = keyed ? keyedAlternativeOrderId(secret!, identity, request.idempotencyKey!) : this.world.newId();
      const mine = this.#working.reserve(id, request.requestId);
      // Only a key names an id twice: its first request is in flight here.
      if (!mine) return { kind: "key_in_progress", alternativeOrderId: id, replayedFrom: this.#working.get(id)!.requestId };
      const now = this.world.clock.now();
      const admission = await this.#ask("admitPlacement", () =>
        this.store.admitPlacement(this.#placing(request, id, fingerprint, now, deadline), windowed ? now - windowMs : null),
      ).catch((error: unknown) => {
        mine.release();
        throw error;
      });
      // A key's order may have been made by a request whose record is gone (a lost store): v2 is asked first.
      if (admission.admitted) return this.#send(request, deadline, id, { ...(keyed && { lookupFirst: "in case" as const }), mine });
      mine.release();
      if (keyed && admission.earlier.fingerprint !== fingerprint) return { kind: "key_reused" };
      const behind = await this.#behind(request, deadline, admission.earlier, keyed);
      if (behind !== "admit again") return behind;
      if (this.world.clock.now() >= deadline) {
        return { kind: "busy", alternativeOrderId: admission.earlier.alternative_order_id, replayedFrom: admission.earlier.req_id };
      }
    }
  }

  /**
   * The request stands behind `earlier`, a placement of the same order: answered
   * with it, waiting for it, taking it over, or, once it made nothing, admitted again.
   */
  async #behind(request: OrderRequest, deadline: number, earlier: Placement, keyed: boolean): Promise<DeskAnswer | "admit again"> {
    const { clock } = this.world;
    const id = earlier.alternative_order_id;
    const from = { alternativeOrderId: id, replayedFrom: earlier.req_id };
    let record: Placement | undefined = earlier;
    for (;;) {
      if (!record) return "admit again";
      const here = this.#working.get(id);
      // This replica's own placement says how it ended before its record does.
      if (here?.ended?.state === "created" && here.ended.v2_order_id !== null)
        return { kind: "replayed", orderId: here.ended.v2_order_id, ...from };
      const now = clock.now();
      const inFlight = here ? !here.settled : record.state === "placing" && this.#alive(record, now);
      if (!inFlight) {
        if (record.state === "created" && record.v2_order_id !== null) return { kind: "replayed", orderId: record.v2_order_id, ...from };
        if (madeNothing(record.state)) return "admit again";
        // Unknown, or left by a replica that died: whoever claims it asks v2 before anything is sent again.
        const mine = this.#working.reserve(id, request.requestId);
        if (mine) {
          const claim = await this.#askBy(deadline, "claimPlacement", () =>
            this.store.claimPlacement(id, { owner: this.options.replicaId, leaseUntil: deadline + LEASE_MARGIN_MS, now }),
          ).catch((error: unknown) => {
            mine.release();
            throw error;
          });
          if (claim !== TOO_LATE && claim.claimed)
            return this.#send(request, deadline, id, { lookupFirst: "taking over", mine, replayedFrom: earlier.req_id });
          mine.release();
          if (claim === TOO_LATE) return { kind: "busy", ...from };
          record = claim.placement;
          continue;
        }
      }
      if (keyed) return { kind: "key_in_progress", ...from };
      if (now >= deadline) return { kind: "busy", ...from };
      const wait = clock.sleep(Math.min(POLL_MS, deadline - now));
      await (here ? Promise.race([here.done, wait]) : wait);
      const read = await this.#askBy(deadline, "getPlacement", () => this.store.getPlacement(id));
      if (read === TOO_LATE) return { kind: "busy", ...from };
      record = read;
    }
  }

  /**
   * Sends the order (or looks it up first) once its trace is out, and settles its
   * record: an order that made nothing leaves the window before its client is answered.
   */
  async #send(
    request: OrderRequest,
    deadline: number,
    id: string,
    how: { lookupFirst?: OrderToPlace["lookupFirst"]; mine?: Reservation; replayedFrom?: string },
  ): Promise<DeskAnswer> {
    const { clock } = this.world;
    const trace: Trace = { req_id: request.requestId, account_id: request.accountId, alternative_order_id: id };
    const started = clock.now();
    let ended: Ended = { state: "unknown", v2_order_id: null };
    let written = Promise.resolve(false);
    try {
      request.placing?.(id);
      // Out of the process before anything is sent: a kill -9, a crash or an OOM kill mid-order still leaves the
      // id that v2's order can be found by.
      await logBeforeActing(this.logger, how.replayedFrom ? { ...trace, replayed_from: how.replayedFrom } : trace, "placing order");
      const report = await placeOrder(
        this.v2,
        {
          product: request.product,
          body: { ...request.body, alternative_order_id: id },
          apiKey: request.v2ApiKey,
          lookupFirst: how.lookupFirst,
        },
        { ...this.options.policy, deadlineMs: deadline - clock.now() },
        clock,
        this.world.random,
      );
      const outcome = ledgerOutcome(report.placement);
      ended = outcome;
      if (how.mine) {
        // An order that made nothing leaves the window before its client hears: the client's own retry is a new order.
        written = this.#outcomes.settle(trace, outcome, madeNothing(outcome.state));
        if (madeNothing(outcome.state)) await Promise.race([written, clock.sleep(Math.max(0, deadline - clock.now()))]);
      }
      this.#sayWhatNeedsSomeone(trace, report.placement);
      return {
        kind: "placed",
        alternativeOrderId: id,
        placement: report.placement,
        sends: report.sends,
        lookups: report.lookups,
        v2LatencyMs: Math.round(clock.now() - started),
        ...(how.replayedFrom === undefined ? {} : { replayedFrom: how.replayedFrom }),
      };
    } finally {
      how.mine?.end(ended, written);
    }
  }

  #sayWhatNeedsSomeone(trace: Trace, placement: V2Placement): void {
    if (placement.kind === "found" && placement.alsoCarryingTheId.length > 0) {
      this.logger.error(
        { ...trace, v2_order_ids: [placement.orderId, ...placement.alsoCarryingTheId] },
        "several v2 orders carry one alternative_order_id: reconcile",
      );
    }
    if (placement.kind === "gave_up" && placement.uncertain) {
      this.logger.error(trace, "order outcome unknown: v2 may hold an order with this alternative_order_id; reconcile");
    }
  }

  #placing(request: OrderRequest, id: string, fingerprint: string | null, now: number, deadline: number): Placement {
    const { replicaId } = this.options;
    return {
      alternative_order_id: id,
      account_id: request.accountId,
      req_id: request.requestId,
      state: "placing",
      v2_order_id: null,
      v2_status: null,
      replica: replicaId,
      owner: replicaId,
      lease_until: deadline + LEASE_MARGIN_MS,
      fingerprint,
      created_at: now,
      updated_at: now,
    };
  }

  /** Another replica's `placing` record is alive while its lease runs; one of this replica's that nobody here works on was left by an earlier process of it. */
  #alive(p: Placement, now: number): boolean {
    return p.owner !== this.options.replicaId && p.lease_until !== null && p.lease_until >= now;
  }

  /** SHIM_RETRY_FINGERPRINT_KEY, or the store's: made by the first replica that asks, kept by every one after. */
  #fingerprintSecret(): Promise<string> {
    if (this.options.fingerprintKey) return Promise.resolve(this.options.fingerprintKey);
    this.#secret ??= this.#ask("sharedSecret", () =>
      this.store.sharedSecret(FINGERPRINT_SECRET, randomBytes(32).toString("base64url")),
    ).catch((error: unknown) => {
      this.#secret = undefined;
      throw error;
    });
    return this.#secret;
  }

  /** A store call that may not outlast the request's deadline: a waiting request answers by then, whatever the store does. */
  async #askBy<T>(deadline: number, operation: string, call: () => Promise<T>): Promise<T | typeof TOO_LATE> {
    const { clock } = this.world;
    const late = clock.sleep(Math.max(0, deadline - clock.now())).then((): typeof TOO_LATE => TOO_LATE);
    return Promise.race([this.#ask(operation, call), late]);
  }

  async #ask<T>(operation: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch {
      throw new StoreTrouble(operation);
    }
  }
}
