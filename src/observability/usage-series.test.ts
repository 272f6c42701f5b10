import { describe, expect, it } from "vitest";
import { familyOf, LATENCY_BUCKETS, latencyBucketBounds, latencyBucketOf, readSeries, type Series, seriesName } from "./usage-series.js";

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
