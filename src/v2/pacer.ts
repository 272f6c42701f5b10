import { createHash } from "node:crypto";

export interface RateWindow {
  limit: number;
  windowMs: number;
}

interface KeyState {
  /** Per window, the times of the calls admitted in it, oldest first; some may lie in the future. */
  admitted: number[][];
  /** The latest admitted time: calls are admitted in the order they ask. */
  last: number;
}

/**
 * Keeps the calls made with one API key under v2's rolling limits (100 per 5 s,
 * 1000 per 3 min) by giving each call the earliest time it may go. A sliding log
 * rather than fixed windows, which would let twice the limit through around a
 * window's edge, and v2's windows roll.
 */
export class Pacer {
  private readonly keys = new Map<string, KeyState>();
  private readonly longestMs: number;

  constructor(
    private readonly windows: readonly RateWindow[],
    private readonly now: () => number = () => performance.now(),
  ) {
    this.longestMs = Math.max(0, ...windows.map((w) => w.windowMs));
  }

  /**
   * Reserves the earliest slot for a call with this key: the call may go after
   * `waitMs`. When that is more than `maxWaitMs`, nothing is reserved and the
   * call is not admitted.
   */
  reserve(apiKey: string, maxWaitMs: number): { admitted: boolean; waitMs: number } {
    if (this.windows.length === 0) return { admitted: true, waitMs: 0 };
    const now = this.now();
    // Keys are tracked by a digest, so the pacer's map holds no key.
    const state = this.stateOf(createHash("sha256").update(apiKey).digest("base64"), now);
    let at = Math.max(now, state.last);
    this.windows.forEach(({ limit, windowMs }, i) => {
      const times = state.admitted[i]!;
      let expired = 0;
      while (expired < times.length && times[expired]! <= now - windowMs) expired++;
      if (expired > 0) times.splice(0, expired);
      // Times are all at or before `at`, so a later `at` never breaks a window checked before.
      if (times.length >= limit) at = Math.max(at, times[times.length - limit]! + windowMs);
    });
    const waitMs = at - now;
    if (waitMs > maxWaitMs) return { admitted: false, waitMs };
    for (const times of state.admitted) times.push(at);
    state.last = at;
    return { admitted: true, waitMs };
  }

  /** Keys idle for longer than the longest window are forgotten, so memory follows the active keys only. */
  private stateOf(key: string, now: number): KeyState {
    const state = this.keys.get(key) ?? { admitted: this.windows.map(() => []), last: -Infinity };
    this.keys.delete(key);
    this.keys.set(key, state);
    for (const [oldest, old] of this.keys) {
      if (old === state || old.last > now - this.longestMs) break;
      this.keys.delete(oldest);
    }
    return state;
  }

  /** How many keys are tracked; for tests of the memory bound. */
  get size(): number {
    return this.keys.size;
  }
}
