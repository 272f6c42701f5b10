import { MemoryStore } from "../../../src/state/memory.js";
import type { OrderLedger, StoreUpkeep } from "../../../src/state/store.js";
import type { Owner, SimWorld } from "./world.js";

/** What the simulated store does over a stretch of time. */
export type StoreOutage =
  /** Refuses every call at once, doing nothing (Redis down, the connection refused). */
  | { kind: "down"; from: number; to: number }
  /** Takes calls and answers none until `to`, then does them all in the order they came (Redis stopped with SIGSTOP). */
  | { kind: "paused"; from: number; to: number };

export interface StoreFaults {
  outages: StoreOutage[];
  /** A call done, its answer lost on the way back: the caller hears a failure of a call that took effect. */
  lostAnswer: number;
}

/** How long a caller waits for an answer before it takes the call as failed: ioredis's commandTimeout. */
export const STORE_TIMEOUT_MS = 1_000;

/**
 * One store every replica shares, as Redis would be: the real backend's rules (the
 * memory backend, which keeps placement-rules.ts like the others), each call done
 * at one point in time in the order calls arrive, with latency and the faults of a
 * network and a server in between. A crashed caller hears nothing, but what it had
 * sent still takes effect.
 */
export class SimStore {
  readonly store: MemoryStore;
  /** Calls that arrived while the store was paused, done in order when it resumes. */
  readonly #queued: (() => void)[] = [];

  constructor(
    private readonly world: SimWorld,
    private readonly faults: StoreFaults,
    /** No lost answer from then on (the outages end before it). */
    private readonly calmAt: number,
  ) {
    this.store = new MemoryStore(() => world.now, { maxPlacements: 1_000_000 });
    for (const outage of faults.outages) {
      if (outage.kind === "paused") world.at(outage.to - world.now, () => this.#resume());
    }
  }

  #outageAt(at: number): StoreOutage | undefined {
    return this.faults.outages.find((o) => o.from <= at && at < o.to);
  }

  #resume(): void {
    for (const call of this.#queued.splice(0)) call();
  }

  /** The store as `owner` sees it. */
  handleFor(owner: Owner): OrderLedger & Pick<StoreUpkeep, "sweep"> {
    const call =
      <A extends unknown[], R>(work: (...args: A) => Promise<R>) =>
      (...args: A): Promise<R> =>
        this.#call(owner, () => work.apply(this.store, args));
    const s = this.store;
    return {
      admitPlacement: call(s.admitPlacement),
      getPlacement: call(s.getPlacement),
      claimPlacement: call(s.claimPlacement),
      settlePlacements: call(s.settlePlacements),
      sharedSecret: call(s.sharedSecret),
      listPlacements: call(s.listPlacements),
      countPlacements: call(s.countPlacements),
      sweep: call(s.sweep),
    };
  }

  #call<R>(owner: Owner, work: () => Promise<R>): Promise<R> {
    const { world } = this;
    const there = world.int(0, 3);
    const back = world.int(0, 3);
    const lose = world.now < this.calmAt && world.chance(this.faults.lostAnswer);
    return new Promise<R>((resolve, reject) => {
      let answered = false;
      const answer = (outcome: () => void) => {
        if (answered) return;
        answered = true;
        outcome();
      };
      const failed = (why: string) => () => reject(new Error(why));
      // The caller's own timeout, whatever the store does.
      world.at(STORE_TIMEOUT_MS, () => answer(failed("Command timed out")), owner);
      world.at(there, () => {
        const outage = this.#outageAt(world.now);
        if (outage?.kind === "down") return world.at(back, () => answer(failed("ECONNREFUSED")), owner);
        const execute = () => {
          // The memory backend answers within the same turn: the call takes effect now.
          work().then(
            (value) => world.at(back, () => answer(lose ? failed("ECONNRESET") : () => resolve(value)), owner),
            (error: unknown) => world.at(back, () => answer(() => reject(error)), owner),
          );
        };
        if (outage?.kind === "paused") this.#queued.push(execute);
        else execute();
      });
    });
  }
}
