import { vi } from "vitest";

/** Long past what any awaited condition takes on a busy two-core machine, and well inside the suite's 30 s test timeout. */
const BOUND_MS = 15_000;
const INTERVAL_MS = 20;

/**
 * The one way a test waits for something (a log line, a state, a count): `check`
 * again and again until it holds, for `timeoutMs` at most, then a failure that
 * names `what` was awaited. `check` holds when it returns anything but `false`
 * without throwing: an `expect` holds when it does not throw, a look-up that may
 * find nothing says so with `?? false`. What it returned is returned. Never a
 * sleep: a busy machine makes a wait longer, never a test red.
 */
export function eventually<T>(
  what: string,
  check: () => T | Promise<T>,
  { timeoutMs = BOUND_MS, intervalMs = INTERVAL_MS }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<Exclude<T, false>> {
  return vi.waitFor(
    async () => {
      const value = await check();
      if (value === false) throw new Error(`not so after ${timeoutMs} ms`);
      return value as Exclude<T, false>;
    },
    { timeout: timeoutMs, interval: intervalMs, message: what },
  );
}
