import { describe, expect, it } from "vitest";
import { ageText, compactCount, dateText, dayText, durationText, isoText, relativeText, shareText } from "./format.js";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const NOW = Date.UTC(2026, 2, 10, 15, 30, 5, 123);

describe("times in a reader's form", () => {
  it("says an age at a glance", () => {
    expect([ageText(5_000), ageText(5 * 60_000), ageText(3 * HOUR + 60_000), ageText(2 * DAY + 4 * HOUR), ageText(400 * DAY)]).toEqual([
      "5 s",
      "5 min",
      "3 h 1 min",
      "2 d 4 h",
      "1 y 35 d",
    ]);
  });

  it("says how long ago, or how long until", () => {
    expect(relativeText(NOW - 4 * 60_000, NOW)).toBe("4 min ago");
    expect(relativeText(NOW + 3 * DAY + 2 * HOUR, NOW)).toBe("in 3 d 2 h");
  });

  it("writes dates without milliseconds: to the minute to read, to the second in ISO 8601", () => {
    expect(dateText(NOW)).toBe("2026-03-10 15:30 UTC");
    expect(isoText(NOW)).toBe("2026-03-10T15:30:05Z");
    expect(dayText(NOW)).toBe("10 Mar");
  });

  it("says an order's time in the unit that reads best", () => {
    expect([0.4, 420, 2_149, 14_400, 65_000].map(durationText)).toEqual(["1 ms", "420 ms", "2.1 s", "14 s", "1 min 5 s"]);
  });
});

describe("numbers", () => {
  it("writes shares and counts", () => {
    expect([shareText(0.426), shareText(0.001), shareText(0), shareText(null)]).toEqual(["43 %", "< 1 %", "0 %", "—"]);
    expect([compactCount(950), compactCount(1_500), compactCount(12_345)]).toEqual(["950", "1,500", "12k"]);
  });
});
