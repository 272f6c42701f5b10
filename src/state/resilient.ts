import { MemoryStore } from "./memory.js";
import type { StateStore } from "./store.js";

/** The store cannot be reached, and nothing may stand in for it. */
export class StateUnavailable extends Error {
  constructor(readonly operation: string) {
    super(`the state store is unavailable (${operation})`);
    this.name = "StateUnavailable";
  }
}

interface ResilienceOptions {
  /** Fail closed: while the store is down, pacing and failed logins are refused rather than done in this process. */
  required: boolean;
  /** Whether the store answered when the shim started. */
  upAtStart: boolean;
  /** How often the store is asked whether it answers: while down, whether it is back; while up, whether it still is. */
  probeMs?: number;
  onDown(error: unknown, operation: string): void;
  onUp(): void;
}

type Policy = "memory" | "refuse" | "store";

/**
 * What each call of the store does while it is down, in one table:
 * - `memory`: fail open. This process's memory store stands in, for what one process
 *   can do alone (pacing, failed logins, flags); refused as below when the store is required.
 * - `refuse`: StateUnavailable, for what no process can do alone (the ledger, the
 *   clients view, the replicas' beats, the sweep); its callers deal with it.
 * - `store`: asked of the store itself, down or not: the probe pings it to learn
 *   whether it is back, and closing closes it.
 */
export const WHILE_DOWN = {
  reserve: "memory",
  holdBack: "memory",
  inheritPace: "memory",
  paceLoad: "refuse",
  hitCheck: "memory",
  hitAdmit: "memory",
  hitAdd: "memory",
  hitRemove: "memory",
  setFlag: "memory",
  hasFlag: "memory",
  mergeClients: "refuse",
  clients: "refuse",
  addHourCounts: "refuse",
  hourCounts: "refuse",
  admitPlacement: "refuse",
  getPlacement: "refuse",
  settlePlacements: "refuse",
  listPlacements: "refuse",
  countPlacements: "refuse",
  claimPlacement: "refuse",
  sharedSecret: "refuse",
  beat: "refuse",
  replicas: "refuse",
  sweep: "refuse",
  ping: "store",
  close: "store",
} as const satisfies Record<Exclude<keyof StateStore, "backend">, Policy>;

/** The calls Resilience guards: all but those that go to the store itself. */
type Guarded = { [K in keyof typeof WHILE_DOWN]: (typeof WHILE_DOWN)[K] extends "store" ? never : K }[keyof typeof WHILE_DOWN];
type Call = (...args: unknown[]) => Promise<unknown>;

/** `store`'s `method`, bound to it: looked up once, not on every call. */
const methodOf = (store: StateStore, method: Guarded): Call => (store as unknown as Record<Guarded, Call>)[method].bind(store);

/**
 * A store that fails softly. Once an operation or the probe fails, the store counts
 * as down: nothing more is asked of it (so a hung Redis costs no request its timeout)
 * but the probe every `probeMs`; once the probe answers, everything goes to it
 * again. The probe runs while the store is up too, so that a store nothing is
 * written to, or one that fails without an error (a SQLite file deleted under the
 * shim), is seen down all the same. While it is down, each call does what
 * WHILE_DOWN says.
 */
class Resilience {
  readonly backend;
  readonly #fallback = new MemoryStore();
  #up: boolean;
  readonly #probe: NodeJS.Timeout;
  readonly #whenBack: (() => void)[] = [];

  constructor(
    private readonly primary: StateStore,
    private readonly options: ResilienceOptions,
  ) {
    this.backend = primary.backend;
    this.#up = options.upAtStart;
    let asking = false;
    this.#probe = setInterval(() => {
      if (asking) return;
      asking = true;
      this.primary.ping().then(
        () => {
          asking = false;
          if (this.#up) return;
          this.#up = true;
          this.options.onUp();
          for (const listener of this.#whenBack) listener();
        },
        (error: unknown) => {
          asking = false;
          this.#down(error, "ping");
        },
      );
    }, options.probeMs ?? 1_000);
    this.#probe.unref();
    const methods = this as unknown as Record<Guarded, Call>;
    for (const [name, policy] of Object.entries(WHILE_DOWN) as [keyof typeof WHILE_DOWN, Policy][]) {
      if (policy === "store") continue; // ping and close, below
      const method = name as Guarded;
      const onPrimary = methodOf(primary, method);
      const inProcess = policy === "memory" && !options.required ? methodOf(this.#fallback, method) : undefined;
      methods[method] = (...args) => this.#run(method, onPrimary, inProcess, args);
    }
  }

  get up(): boolean {
    return this.#up;
  }

  /** `listener` is told each time the store answers again after it was down (it may have lost what it held). */
  whenBack(listener: () => void): void {
    this.#whenBack.push(listener);
  }

  #down(error: unknown, operation: string): void {
    if (!this.#up) return;
    this.#up = false;
    this.options.onDown(error, operation);
  }

  /** Stops probing; the store itself is closed by `close`. */
  stop(): void {
    clearInterval(this.#probe);
  }

  /** `onPrimary` while the store is up; once it is down, `inProcess` if this process may stand in, else StateUnavailable. */
  async #run(method: Guarded, onPrimary: Call, inProcess: Call | undefined, args: unknown[]): Promise<unknown> {
    if (this.#up) {
      try {
        return await onPrimary(...args);
      } catch (error) {
        this.#down(error, method);
      }
    }
    if (inProcess) return inProcess(...args);
    throw new StateUnavailable(method);
  }

  ping(): Promise<void> {
    return this.primary.ping();
  }

  close(): Promise<void> {
    this.stop();
    return this.primary.close();
  }
}

/** A store that fails softly, as Resilience makes it. */
export type ResilientStore = Resilience & StateStore;

/**
 * `primary`, failing softly. Resilience's constructor gives it every guarded call,
 * one for each row of WHILE_DOWN, which the compiler holds to name every method.
 */
export const resilientStore = (primary: StateStore, options: ResilienceOptions): ResilientStore =>
  new Resilience(primary, options) as ResilientStore;
