import { describe, expect, it } from "vitest";
import type { Volume } from "./aggregate.js";
import { NARROW, niceTicks, volumeChart, WIDE } from "./chart.js";

describe("niceTicks", () => {
  it("steps from 0 past the largest value by 1, 2 or 5 times a power of ten, in whole numbers", () => {
    expect(niceTicks(18)).toEqual([0, 5, 10, 15, 20]);
    expect(niceTicks(3)).toEqual([0, 1, 2, 3]);
    expect(niceTicks(1)).toEqual([0, 1]);
    expect(niceTicks(0)).toEqual([0, 1]);
    expect(niceTicks(1_234)).toEqual([0, 500, 1_000, 1_500]);
  });
});

describe("volumeChart", () => {
  const volume: Volume = {
    firstDay: Date.UTC(2026, 1, 9),
    series: [{ name: "all", perDay: Array.from({ length: 30 }, (_, i) => (i % 3 === 0 ? 18 : 0)) }],
  };

  it("labels both axes with values: counts up the side, dates along the bottom a week apart", async () => {
    const svg = String(await volumeChart(volume, WIDE));
    const labels = (axis: string) => [...svg.matchAll(new RegExp(`class="tick ${axis}"[^>]*>([^<]*)<`, "g"))].map((m) => m[1]);
    expect(labels("y")).toEqual(["0", "5", "10", "15", "20"]);
    // The last day is today, 10 March, and the labels count back from it.
    expect(labels("x")).toEqual(["10 Feb", "17 Feb", "24 Feb", "3 Mar", "10 Mar"]);
    expect(String(await volumeChart(volume, NARROW))).toContain(">10 Mar<");
  });
});
