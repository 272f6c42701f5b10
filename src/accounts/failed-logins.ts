import { setNewest } from "../lib/bounded-map.js";

export interface FailedLoginOptions {
  /** Failures let through at full speed. */
  free?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** A failure is forgotten after this long. */
  windowMs?: number;
  maxTracked?: number;
  now?: () => number;
}

/**
 * Repeated failed logins for one account id: after a few, each answer is
 * delayed, twice as long each time up to a cap, which makes guessing a key
 * slow without locking the real client out. Bounded however many ids are tried.
 */
export class FailedLogins {
  readonly #failures = new Map<string, { count: number; last: number }>();
  readonly #options: Required<FailedLoginOptions>;

  constructor(options: FailedLoginOptions = {}) {
    this.#options = {
      free: 5,
      baseDelayMs: 250,
      maxDelayMs: 5_000,
      windowMs: 15 * 60_000,
      maxTracked: 10_000,
      now: () => performance.now(),
      ...options,
    };
  }

  /**
   * Counts a failure: how many there have been in the window, how long to hold
   * the answer back, and whether to say so (when slowing starts, then every tenth).
   */
  failed(accountId: string): { failures: number; delayMs: number; report: boolean } {
    const { free, baseDelayMs, maxDelayMs, windowMs, maxTracked, now } = this.#options;
    const previous = this.#failures.get(accountId);
    const count = previous && now() - previous.last < windowMs ? previous.count + 1 : 1;
    setNewest(this.#failures, accountId, { count, last: now() }, maxTracked);
    const slowed = count - free;
    return {
      failures: count,
      delayMs: slowed <= 0 ? 0 : Math.min(maxDelayMs, baseDelayMs * 2 ** (slowed - 1)),
      report: slowed > 0 && slowed % 10 === 1,
    };
  }

  succeeded(accountId: string): void {
    this.#failures.delete(accountId);
  }
}
