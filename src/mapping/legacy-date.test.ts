import { describe, expect, it } from "vitest";
import { legacyDate } from "./legacy-date.js";

describe("legacyDate", () => {
  it("writes v2's dates and times as DD-MON-YYYY, month in upper case", () => {
    expect(legacyDate("2026-03-04")).toBe("04-MAR-2026");
    expect(legacyDate("2012-02-03T17:19:12+00:00")).toBe("03-FEB-2012");
    expect(legacyDate("2026-12-31T23:59:59Z")).toBe("31-DEC-2026");
  });

  it("gives nothing for what is not a date", () => {
    expect(legacyDate(undefined)).toBeUndefined();
    expect(legacyDate("")).toBeUndefined();
    expect(legacyDate("2026-13-01")).toBeUndefined();
    expect(legacyDate("04/03/2026")).toBeUndefined();
  });
});
