import { describe, expect, it } from "vitest";
import { Pacer } from "./pacer.js";

function clock(start = 0) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

/** The most calls admitted in any window of `windowMs`, from their admission times. */
function busiest(times: number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let most = 0;
  for (let i = 0, j = 0; i < sorted.length; i++) {
    while (sorted[i]! - sorted[j]! >= windowMs) j++;
    most = Math.max(most, i - j + 1);
  }
  return most;
}

describe("Pacer", () => {
  it("lets a burst up to the limit go at once, then spaces calls so no window holds more than its limit", () => {
    const time = clock();
    const pacer = new Pacer(
      [
        { limit: 100, windowMs: 5_000 },
        { limit: 1000, windowMs: 180_000 },
      ],
      time.now,
    );
    const admitted: number[] = [];
    const waits: number[] = [];
    for (let i = 0; i < 1500; i++) {
      const wait = pacer.reserve("key", Infinity).waitMs;
      waits.push(wait);
      admitted.push(time.now() + wait);
      if (i % 7 === 6) time.advance(13);
    }
    expect(waits.slice(0, 100)).toEqual(Array(100).fill(0));
    expect(waits[100]).toBeGreaterThan(0);
    expect(busiest(admitted, 5_000)).toBe(100);
    expect(busiest(admitted, 180_000)).toBe(1000);
  });

  it("refuses, reserving nothing, when the wait would be longer than allowed", () => {
    const time = clock();
    const pacer = new Pacer([{ limit: 2, windowMs: 1_000 }], time.now);
    expect(pacer.reserve("key", 0)).toEqual({ admitted: true, waitMs: 0 });
    expect(pacer.reserve("key", 0)).toEqual({ admitted: true, waitMs: 0 });
    expect(pacer.reserve("key", 500)).toEqual({ admitted: false, waitMs: 1_000 });
    expect(pacer.reserve("key", 1_000)).toEqual({ admitted: true, waitMs: 1_000 });
    time.advance(2_000);
    expect(pacer.reserve("key", 0)).toEqual({ admitted: true, waitMs: 0 });
  });

  it("keeps keys apart", () => {
    const pacer = new Pacer([{ limit: 1, windowMs: 1_000 }], () => 0);
    expect(pacer.reserve("a", 0).admitted).toBe(true);
    expect(pacer.reserve("b", 0).admitted).toBe(true);
    expect(pacer.reserve("a", 0).admitted).toBe(false);
  });

  it("forgets keys idle for longer than its longest window", () => {
    const time = clock();
    const pacer = new Pacer([{ limit: 10, windowMs: 1_000 }], time.now);
    for (let i = 0; i < 500; i++) pacer.reserve(`key${i}`, 0);
    expect(pacer.size).toBe(500);
    time.advance(1_001);
    pacer.reserve("fresh", 0);
    expect(pacer.size).toBe(1);
  });

  it("admits everything at once without windows", () => {
    const pacer = new Pacer([]);
    expect(pacer.reserve("key", 0)).toEqual({ admitted: true, waitMs: 0 });
  });
});
