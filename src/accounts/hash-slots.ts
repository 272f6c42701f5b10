export interface HashSlotOptions {
  /** Key hashes computed at once: libuv has four threads, which the log and DNS need too. */
  concurrency: number;
  /** How long a check may wait for a slot before it is turned away. */
  maxWaitMs: number;
  /** How many checks may wait at once; past that one is turned away at once. */
  maxWaiting: number;
}

export const DEFAULT_HASH_SLOTS: HashSlotOptions = { concurrency: 2, maxWaitMs: 1_000, maxWaiting: 64 };

/**
 * A bound on the key-hash work in flight. A flood of made-up credentials would
 * otherwise queue thousands of slow hashes in libuv's pool, and a real client's
 * first login behind them (12 to 55 s, measured); past a short wait a check is
 * turned away, which the client hears as 503 with Retry-After.
 */
export class HashSlots {
  #free: number;
  readonly #waiting: (() => void)[] = [];

  constructor(private readonly options: HashSlotOptions = DEFAULT_HASH_SLOTS) {
    this.#free = options.concurrency;
  }

  /** `work`'s result, or "busy" when no slot freed in time. */
  async run<T>(work: () => Promise<T>): Promise<{ result: T } | "busy"> {
    if (this.#free > 0) this.#free--;
    else if (!(await this.#wait())) return "busy";
    try {
      return { result: await work() };
    } finally {
      // The slot passes to the longest waiter, if any.
      const next = this.#waiting.shift();
      if (next) next();
      else this.#free++;
    }
  }

  #wait(): Promise<boolean> {
    if (this.#waiting.length >= this.options.maxWaiting) return Promise.resolve(false);
    return new Promise((resolve) => {
      const handOver = () => {
        clearTimeout(timer);
        resolve(true);
      };
      const timer = setTimeout(() => {
        this.#waiting.splice(this.#waiting.indexOf(handOver), 1);
        resolve(false);
      }, this.options.maxWaitMs);
      this.#waiting.push(handOver);
    });
  }
}
