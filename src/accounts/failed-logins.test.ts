import { describe, expect, it } from "vitest";
import { FailedLogins } from "./failed-logins.js";

describe("FailedLogins", () => {
  it("lets a few failures through, then delays each answer twice as long, up to a cap", () => {
    const failed = new FailedLogins({ free: 3, baseDelayMs: 100, maxDelayMs: 500, now: () => 0 });
    const failures = Array.from({ length: 14 }, () => failed.failed("001007"));
    expect(failures.slice(0, 8).map((f) => f.delayMs)).toEqual([0, 0, 0, 100, 200, 400, 500, 500]);
    expect(failures.flatMap((f) => (f.report ? [f.failures] : []))).toEqual([4, 14]);
    expect(failed.failed("other").delayMs).toBe(0);
  });

  it("forgets failures after the window, and on success", () => {
    let now = 0;
    const failed = new FailedLogins({ free: 1, windowMs: 1_000, now: () => now });
    failed.failed("001007");
    expect(failed.failed("001007").failures).toBe(2);
    now += 1_000;
    expect(failed.failed("001007").failures).toBe(1);
    failed.failed("001007");
    failed.succeeded("001007");
    expect(failed.failed("001007").failures).toBe(1);
  });

  it("tracks a bounded number of account ids however many are tried", () => {
    const failed = new FailedLogins({ maxTracked: 100, now: () => 0 });
    for (let i = 0; i < 1_000; i++) failed.failed(`id${i}`);
    expect(failed.failed("id0").failures).toBe(1);
    expect(failed.failed("id999").failures).toBe(2);
  });
});
