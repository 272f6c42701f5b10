import { setImmediate as nextTurn } from "node:timers/promises";
import type { Clock } from "../../../src/v2/retry-timing.js";

// A simulated world in the manner of FoundationDB's simulation and TigerBeetle's VOPR:
// one seeded random source, one clock that moves only from one scheduled event to the
// next, and owners (replicas) whose pending events vanish when they crash. The code
// under test runs unchanged; everything it waits on is a promise the world resolves.
// A history is reproducible from its seed because nothing in it reads the real clock,
// real randomness or real I/O.

/** sfc32: a small, fast generator whose whole state is the seed's. */
export function seededRandom(seed: number): () => number {
  let a = 0x9e3779b9;
  let b = 0x243f6a88;
  let c = 0xb7e15162;
  let d = seed >>> 0;
  const next = () => {
    a >>>= 0;
    b >>>= 0;
    c >>>= 0;
    d >>>= 0;
    let t = (a + b) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    d = (d + 1) | 0;
    t = (t + d) | 0;
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  for (let i = 0; i < 12; i++) next();
  return next;
}

interface Timer {
  at: number;
  seq: number;
  owner: Owner | undefined;
  fire: () => void;
}

/** Something that can crash: what it waits for is dropped with it. */
export interface Owner {
  readonly name: string;
  alive: boolean;
}

/** The epoch the simulated clock starts at: a plausible date, so that dates in records look like dates. */
export const SIM_START = Date.UTC(2026, 11, 1);

export class SimWorld {
  now = SIM_START;
  readonly random: () => number;
  readonly #timers: Timer[] = [];
  #seq = 0;
  /** Events run so far: a bound on a history that would otherwise not end. */
  events = 0;

  constructor(readonly seed: number) {
    this.random = seededRandom(seed);
  }

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.random() * (max - min + 1));
  }

  chance(p: number): boolean {
    return this.random() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.random() * items.length)]!;
  }

  /** Runs `fire` `ms` from now, unless `owner` has crashed by then. */
  at(ms: number, fire: () => void, owner?: Owner): void {
    const timer = { at: this.now + Math.max(0, ms), seq: this.#seq++, owner, fire };
    // A binary heap by (at, seq): the same order of events for the same seed.
    const heap = this.#timers;
    heap.push(timer);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!earlier(heap[i]!, heap[parent]!)) break;
      [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
      i = parent;
    }
  }

  /** A promise `owner` waits on, resolved `ms` from now with what `value` gives then (or never, if `owner` crashed). */
  after<T>(ms: number, value: () => T, owner?: Owner): Promise<T> {
    return new Promise((resolve, reject) =>
      this.at(
        ms,
        () => {
          try {
            resolve(value());
          } catch (error) {
            reject(error);
          }
        },
        owner,
      ),
    );
  }

  /** The clock `owner` sees: its sleeps are the world's events. */
  clockFor(owner?: Owner): Clock {
    return { now: () => this.now, sleep: (ms) => this.after(ms, () => undefined, owner) };
  }

  #pop(): Timer | undefined {
    const heap = this.#timers;
    const top = heap[0];
    const last = heap.pop();
    if (heap.length > 0 && last) {
      heap[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < heap.length && earlier(heap[l]!, heap[m]!)) m = l;
        if (r < heap.length && earlier(heap[r]!, heap[m]!)) m = r;
        if (m === i) break;
        [heap[i], heap[m]] = [heap[m]!, heap[i]!];
        i = m;
      }
    }
    return top;
  }

  /**
   * Runs events in time order until `done()` holds after one, or none is left, or
   * `maxEvents` ran. Between two events everything the last one set going runs
   * to where it waits again: a turn of Node's event loop drains every microtask.
   */
  async run(done: () => boolean, maxEvents: number): Promise<void> {
    await nextTurn();
    while (!done()) {
      const timer = this.#pop();
      if (!timer) return;
      if (timer.owner && !timer.owner.alive) continue;
      if (++this.events > maxEvents) throw new Error(`the history did not end within ${maxEvents} events`);
      this.now = Math.max(this.now, timer.at);
      timer.fire();
      await nextTurn();
    }
  }
}

const earlier = (a: Timer, b: Timer) => a.at < b.at || (a.at === b.at && a.seq < b.seq);
