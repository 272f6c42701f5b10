import { describe, expect, it } from "vitest";
import { backoffMs, type RetryPolicy } from "./retry-timing.js";

const policy: RetryPolicy = {
  attempts: 3,
  timeoutMs: 1_000,
  deadlineMs: 60_000,
  retryBaseMs: 100,
  retryAfterCapMs: 1_000,
  paceMaxWaitMs: 0,
};

/** The least and the most of many draws: jitter must stay in its half of the step. */
function spread(step: number) {
  const draws = Array.from({ length: 500 }, () => backoffMs(step, policy));
  return { least: Math.min(...draws), most: Math.max(...draws) };
}

describe("backoffMs", () => {
  it("doubles from the base with each step, jittered within the upper half", () => {
    for (const [step, full] of [
      [0, 100],
      [1, 200],
      [2, 400],
    ] as const) {
      const { least, most } = spread(step);
      expect(least).toBeGreaterThanOrEqual(full / 2);
      expect(most).toBeLessThanOrEqual(full);
      // Jittered: clients that failed together spread out.
      expect(most - least).toBeGreaterThan(full / 10);
    }
  });

  it("never waits longer than the cap", () => {
    expect(spread(10).most).toBeLessThanOrEqual(policy.retryAfterCapMs);
    expect(spread(10).least).toBeGreaterThanOrEqual(policy.retryAfterCapMs / 2);
  });
});
