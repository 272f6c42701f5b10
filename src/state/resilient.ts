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

type Args<K extends keyof StateStore> = StateStore[K] extends (...args: infer A) => unknown ? A : never;

/**
 * A store that fails softly. Once an operation or the probe fails, the store counts
 * as down: nothing more is asked of it (so a hung Redis costs no request its timeout)
 * but the probe every `probeMs`; once the probe answers, everything goes to it
 * again. The probe runs while the store is up too, so that a store nothing is
 * written to, or one that fails without an error (a SQLite file deleted under the
 * shim), is seen down all the same. While it is down, pacing and failed logins, which this process can do
 * alone, use an in-process store (fail open), or are refused when the store is
 * required; the ledger and the clients view throw StateUnavailable for their
 * callers to deal with.
 */
export class ResilientStore implements StateStore {
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

  async #run<T>(operation: string, work: (store: StateStore) => Promise<T>, local: boolean): Promise<T> {
    if (this.#up) {
      try {
        return await work(this.primary);
      } catch (error) {
        this.#down(error, operation);
      }
    }
    if (local && !this.options.required) return work(this.#fallback);
    throw new StateUnavailable(operation);
  }

  reserve = (...a: Args<"reserve">) => this.#run("reserve", (s) => s.reserve(...a), true);
  holdBack = (...a: Args<"holdBack">) => this.#run("holdBack", (s) => s.holdBack(...a), true);
  inheritPace = (...a: Args<"inheritPace">) => this.#run("inheritPace", (s) => s.inheritPace(...a), true);
  paceLoad = (...a: Args<"paceLoad">) => this.#run("paceLoad", (s) => s.paceLoad(...a), false);
  hitCheck = (...a: Args<"hitCheck">) => this.#run("hitCheck", (s) => s.hitCheck(...a), true);
  hitAdmit = (...a: Args<"hitAdmit">) => this.#run("hitAdmit", (s) => s.hitAdmit(...a), true);
  hitAdd = (...a: Args<"hitAdd">) => this.#run("hitAdd", (s) => s.hitAdd(...a), true);
  hitRemove = (...a: Args<"hitRemove">) => this.#run("hitRemove", (s) => s.hitRemove(...a), true);
  setFlag = (...a: Args<"setFlag">) => this.#run("setFlag", (s) => s.setFlag(...a), true);
  hasFlag = (...a: Args<"hasFlag">) => this.#run("hasFlag", (s) => s.hasFlag(...a), true);
  mergeClients = (...a: Args<"mergeClients">) => this.#run("mergeClients", (s) => s.mergeClients(...a), false);
  clients = () => this.#run("clients", (s) => s.clients(), false);
  addHourCounts = (...a: Args<"addHourCounts">) => this.#run("addHourCounts", (s) => s.addHourCounts(...a), false);
  hourCounts = (...a: Args<"hourCounts">) => this.#run("hourCounts", (s) => s.hourCounts(...a), false);
  admitPlacement = (...a: Args<"admitPlacement">) => this.#run("admitPlacement", (s) => s.admitPlacement(...a), false);
  getPlacement = (...a: Args<"getPlacement">) => this.#run("getPlacement", (s) => s.getPlacement(...a), false);
  settlePlacements = (...a: Args<"settlePlacements">) => this.#run("settlePlacements", (s) => s.settlePlacements(...a), false);
  listPlacements = (...a: Args<"listPlacements">) => this.#run("listPlacements", (s) => s.listPlacements(...a), false);
  countPlacements = (...a: Args<"countPlacements">) => this.#run("countPlacements", (s) => s.countPlacements(...a), false);
  claimPlacement = (...a: Args<"claimPlacement">) => this.#run("claimPlacement", (s) => s.claimPlacement(...a), false);
  sharedSecret = (...a: Args<"sharedSecret">) => this.#run("sharedSecret", (s) => s.sharedSecret(...a), false);
  sweep = (...a: Args<"sweep">) => this.#run("sweep", (s) => s.sweep(...a), false);
  beat = (...a: Args<"beat">) => this.#run("beat", (s) => s.beat(...a), false);
  replicas = (...a: Args<"replicas">) => this.#run("replicas", (s) => s.replicas(...a), false);
  ping = () => this.primary.ping();
  close = () => {
    this.stop();
    return this.primary.close();
  };
}
