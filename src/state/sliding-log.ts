import type { RateWindow } from "../lib/rate-window.js";
import type { HitCheck, PaceLoad } from "./store.js";

// The arithmetic of sliding logs (pacing, hit logs). The memory backend keeps the
// logs in JavaScript and calls these; SQLite finds the same times with its queries
// (sqlite.ts's reserve and #check), and Redis restates them in Lua, beside each
// script (redis/pacing.ts, redis/hit-logs.ts). test/state/pacing.contract.ts and
// hit-logs.contract.ts hold the three to them.

/**
 * The earliest time a call may go, given the times already admitted (oldest
 * first, some of them in the future): calls go in the order they ask, and no
 * window may hold more than its limit. Fixed windows would let twice the limit
 * through around a window's edge, and v2's windows roll.
 */
export function earliestSlot(times: readonly number[], windows: readonly RateWindow[], now: number, blockedUntil: number): number {
  let at = Math.max(now, times.at(-1) ?? now, blockedUntil);
  for (const { limit, windowMs } of windows) {
    const inWindow = times.length - firstAfter(times, now - windowMs);
    // Every time is at or before `at`, so a later `at` never breaks a window checked before.
    if (inWindow >= limit) at = Math.max(at, times[times.length - limit]! + windowMs);
  }
  return at;
}

/** Whether a log (oldest first) has room for one more within the window, and when it will if not. */
export function checkLog(times: readonly number[], limit: number, windowMs: number, now: number): HitCheck {
  const start = firstAfter(times, now - windowMs);
  const inWindow = times.length - start;
  if (inWindow < limit) return { admitted: true };
  return { admitted: false, retryAfterMs: Math.max(1, times[start + inWindow - limit]! + windowMs - now) };
}

/** The checks of several logs as one: room only if every one has room, else the longest wait. */
export function combineChecks(checks: readonly HitCheck[]): HitCheck {
  let wait = 0;
  for (const check of checks) if (!check.admitted) wait = Math.max(wait, check.retryAfterMs);
  return wait > 0 ? { admitted: false, retryAfterMs: wait } : { admitted: true };
}

/** The index of the first time after `bound` in a sorted list. */
export function firstAfter(times: readonly number[], bound: number): number {
  let low = 0;
  let high = times.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (times[mid]! <= bound) low = mid + 1;
    else high = mid;
  }
  return low;
}

/** The pacing load's order, in every backend: the busiest buckets first, those with neither calls nor a hold left out. */
export const busiest = (loads: PaceLoad[], max: number): PaceLoad[] =>
  loads
    .filter((l) => l.calls > 0 || l.heldUntil !== null)
    .sort((a, b) => b.calls - a.calls || (b.heldUntil ?? 0) - (a.heldUntil ?? 0))
    .slice(0, max);
