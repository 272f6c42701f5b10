import { describe, expect, it } from "vitest";
import {
  familyOf,
  HourTally,
  LATENCY_BUCKETS,
  latencyBucketBounds,
  latencyBucketOf,
  OTHER_SERIES,
  readSeries,
  type Series,
  seriesName,
} from "./usage-series.js";

describe("series names", () => {
  it("read back as the series they were written for, and nothing else reads as one", () => {
    const every: Series[] = [
      { kind: "call", account_id: "a", user_agent: "u", outcome: "ordered" },
      { kind: "v1_error", code: "required_param:org_name", status: 400 },
      { kind: "v1_family", family: "required_param:*", status: 400 },
      { kind: "v2_error", v2_status: "400", code: "invalid_contact:verified_contact" },
      { kind: "replayed", account_id: "a", user_agent: "u" },
      { kind: "path", account_id: "a", path: "translate" },
      { kind: "order_latency", account_id: "a", bucket: 40 },
    ];
    for (const series of every) expect(readSeries(seriesName(series))).toEqual(series);
    for (const name of ['["path","a","elsewhere"]', '["order_latency","a",-1]', `["order_latency","a",${LATENCY_BUCKETS}]`, "not json"]) {
      expect(readSeries(name)).toBeUndefined();
    }
  });
});

describe("latency buckets", () => {
  it("put each time in the bucket whose bounds hold it, four to a doubling", () => {
    for (const ms of [0, 0.5, 1, 1.1, 2, 3, 42, 420, 999, 1_000, 55_000, 262_144]) {
      const { low, high } = latencyBucketBounds(latencyBucketOf(ms));
      expect(ms > low || ms === 0).toBe(true);
      expect(ms <= high).toBe(true);
    }
    expect(latencyBucketOf(2) - latencyBucketOf(1)).toBe(4);
    expect(latencyBucketBounds(latencyBucketOf(1_000)).high / latencyBucketBounds(latencyBucketOf(1_000)).low).toBeCloseTo(2 ** 0.25);
  });

  it("hold every longer time in the last bucket, so that their number is bounded", () => {
    expect(latencyBucketOf(10 * 60_000)).toBe(LATENCY_BUCKETS - 1);
    expect(latencyBucketBounds(LATENCY_BUCKETS - 1).high).toBe(Number.POSITIVE_INFINITY);
  });
});

describe("familyOf", () => {
  it("groups the codes that name a field, and leaves a code without one as it is", () => {
    expect(familyOf("required_param:org_name")).toBe("required_param:*");
    expect(familyOf("invalid_contact:verified_contact")).toBe("invalid_contact:*");
    expect(familyOf("upstream_unavailable")).toBe("upstream_unavailable");
  });
});

describe("HourTally", () => {
  const call = (account_id: string): Series => ({ kind: "call", account_id, user_agent: "u", outcome: "ordered" });
  const H = 3_600_000;

  it("counts each series once per hour, and new series past the bound as the others", () => {
    const tally = new HourTally(3);
    for (const id of ["a", "b", "a", "c", "d", "e"]) tally.add(H + 5, call(id));
    tally.add(2 * H, call("a"));
    expect(tally.take().map((c) => [c.hour, readSeries(c.series)?.kind === "call" ? JSON.parse(c.series)[1] : c.series, c.count])).toEqual([
      [H, "a", 2],
      [H, "b", 1],
      [H, "c", 1],
      [H, OTHER_SERIES, 2],
      // The bound holds for all it keeps, whatever the hour.
      [2 * H, OTHER_SERIES, 1],
    ]);
    expect(tally.take()).toEqual([]);
  });

  it("tells apart series whose fields would run together, and kinds whose fields match", () => {
    const tally = new HourTally(10);
    tally.add(H, { kind: "call", account_id: "a", user_agent: "b/c", outcome: "ordered" });
    tally.add(H, { kind: "call", account_id: "a/b", user_agent: "c", outcome: "ordered" });
    tally.add(H, { kind: "replayed", account_id: "a", user_agent: "b/c" });
    expect(tally.take()).toHaveLength(3);
  });

  it("takes counts back that could not be written, whatever the bound, and adds later ones to them", () => {
    const tally = new HourTally(1);
    tally.add(H, call("a"));
    const taken = tally.take();
    tally.add(H, call("b"));
    tally.putBack([...taken, { hour: H, series: OTHER_SERIES, count: 4 }]);
    tally.add(H, call("a"));
    tally.add(H, call("c"));
    const counts = Object.fromEntries(tally.take().map((c) => [c.series, c.count]));
    expect(counts).toEqual({ [seriesName(call("b"))]: 1, [seriesName(call("a"))]: 2, [OTHER_SERIES]: 5 });
  });
});
