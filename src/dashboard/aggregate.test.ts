import { describe, expect, it } from "vitest";
import { HOUR_MS, latencyBucketOf, type Series, seriesName } from "../observability/usage-series.js";
import type { HourCount } from "../state/store.js";
import {
  accountRows,
  CHART_DAYS,
  DAY_MS,
  dateSetting,
  failures,
  headline,
  percentile,
  readSortKey,
  replicaRows,
  setUnverifiedApart,
  sortAccounts,
  traffic,
  volume,
} from "./aggregate.js";

// A fixed clock: 2026-03-10 15:30 UTC.
const NOW = Date.UTC(2026, 2, 10, 15, 30);
const hourAgo = (hours: number) => NOW - (NOW % HOUR_MS) - hours * HOUR_MS;
const call = (account_id: string, outcome = "ordered", user_agent = "Agent/1"): Series => ({
  kind: "call",
  account_id,
  user_agent,
  outcome,
});
const count = (hoursAgo: number, series: Series, n = 1): HourCount => ({ hour: hourAgo(hoursAgo), series: seriesName(series), count: n });
const client = (account_id: string, last_seen: number, user_agent = "Agent/1") => ({
  account_id,
  user_agent,
  first_seen: last_seen,
  last_seen,
  counts: {},
});

describe("accountRows", () => {
  const hours = [
    count(0, call("a")),
    count(23, call("a"), 2),
    count(24, call("a"), 4),
    count(7 * 24 - 1, call("a", "read"), 8),
    count(7 * 24, call("a", "failed_upstream"), 16),
    count(30 * 24, call("a"), 32),
    count(2, call("a", "read", "Other/2"), 1),
    count(40, call("b", "refused_by_validation"), 3),
    count(40, call("b"), 1),
  ];
  const rows = accountRows([client("a", NOW - 60_000), client("b", hourAgo(40)), client("gone", NOW - 31 * DAY_MS)], hours, NOW);
  const row = (id: string) => rows.find((r) => r.account_id === id)!;

  it("counts each window from the hours inside it, the current hour in the last 24 h", () => {
    expect(row("a")).toMatchObject({ last24h: 1 + 2 + 1, last7d: 1 + 2 + 4 + 8 + 1, last30d: 1 + 2 + 4 + 8 + 16 + 1 });
    expect(row("b")).toMatchObject({ last24h: 0, last7d: 4, last30d: 4 });
  });

  it("gives the share of the last 30 days' calls that failed, and none without calls", () => {
    expect(row("a").error_share).toBe(16 / 32);
    expect(row("b").error_share).toBe(0.75);
    expect(row("gone").error_share).toBeNull();
  });

  it("lists each account's agents, busiest first, and the account's last seen as its latest agent's", () => {
    expect(row("a").agents.map((a) => [a.user_agent, a.last30d])).toEqual([
      ["Agent/1", 31],
      ["Other/2", 1],
    ]);
    expect(row("a").last_seen).toBe(NOW - 60_000);
  });

  it("marks an account silent for 30 days as migrated, and no other", () => {
    expect(rows.filter((r) => r.migrated).map((r) => r.account_id)).toEqual(["gone"]);
  });

  it("sorts by each column: names A to Z, numbers largest first, ties by name", () => {
    expect(sortAccounts(rows, "account").map((r) => r.account_id)).toEqual(["a", "b", "gone"]);
    expect(sortAccounts(rows, "last24h").map((r) => r.account_id)).toEqual(["a", "b", "gone"]);
    expect(sortAccounts(rows, "last_seen").map((r) => r.account_id)).toEqual(["a", "b", "gone"]);
    expect(sortAccounts(rows, "errors").map((r) => r.account_id)).toEqual(["b", "a", "gone"]);
    expect(sortAccounts([row("gone"), row("b")], "last7d").map((r) => r.account_id)).toEqual(["b", "gone"]);
  });

  it("reads a sort key from the query, and the 30 days for anything else", () => {
    expect(readSortKey("errors")).toBe("errors");
    expect(readSortKey("<script>")).toBe("last30d");
    expect(readSortKey(undefined)).toBe("last30d");
  });
});

describe("volume", () => {
  it("counts each UTC day of the last 30, today last, in all and per busiest account", () => {
    const { firstDay, series } = volume(
      [count(0, call("a"), 2), count(15, call("b"), 3), count(16, call("a"), 5), count(29 * 24, call("a")), count(31 * 24, call("a"))],
      NOW,
    );
    expect(firstDay).toBe(Date.UTC(2026, 1, 9));
    const [all, a, b] = series;
    expect(all!.name).toBe("all");
    expect(all!.perDay).toHaveLength(CHART_DAYS);
    // 15:30 now: 15 hours ago is still today; 16 hours ago is yesterday, 23:00.
    expect(all!.perDay.slice(-2)).toEqual([5, 5]);
    expect(all!.perDay.filter((n) => n > 0)).toHaveLength(3);
    expect([a!.name, a!.perDay.at(-1), b!.name, b!.perDay.at(-1)]).toEqual(["a", 2, "b", 3]);
  });

  it("draws only the busiest accounts as lines of their own", () => {
    const hours = Array.from({ length: 8 }, (_, i) => count(0, call(`acct${i}`), i + 1));
    expect(volume(hours, NOW).series.map((s) => s.name)).toEqual(["all", "acct7", "acct6", "acct5", "acct4", "acct3"]);
  });
});

describe("replays, order times and paths", () => {
  const latency = (account_id: string, ms: number): Series => ({ kind: "order_latency", account_id, bucket: latencyBucketOf(ms) });
  const path = (account_id: string, p: "orders" | "reads" | "translate" | "other"): Series => ({ kind: "path", account_id, path: p });
  const hours = [
    count(0, call("a")),
    count(0, { kind: "replayed", account_id: "a", user_agent: "Agent/1" }, 2),
    count(10 * 24, { kind: "replayed", account_id: "a", user_agent: "Agent/1" }, 3),
    count(1, latency("a", 400), 98),
    count(1, latency("a", 9_000), 2),
    // Older than 24 h: not in the order times.
    count(25, latency("a", 50_000), 500),
    count(0, path("a", "orders"), 6),
    count(0, path("a", "reads"), 3),
    count(0, path("a", "translate"), 1),
    count(31 * 24, path("a", "other"), 90),
    // Only translated, never called v1: no row.
    count(0, path("t", "translate"), 4),
  ];
  const [row, ...others] = accountRows([], hours, NOW);

  it("counts an account's replays in each window", () => {
    expect(row!.replayed).toEqual({ last24h: 2, last7d: 2, last30d: 5 });
  });

  it("gives the p50 and p99 of an account's orders of the last 24 h from their buckets", () => {
    const { orders, p50_ms, p99_ms } = row!.latency!;
    expect(orders).toBe(100);
    expect(p50_ms).toBeGreaterThan(400 / 2 ** 0.25);
    expect(p50_ms).toBeLessThanOrEqual(400 * 2 ** 0.25);
    expect(p99_ms).toBeGreaterThan(9_000 / 2 ** 0.25);
    expect(p99_ms).toBeLessThanOrEqual(9_000 * 2 ** 0.25);
  });

  it("gives the share of an account's calls of the last 30 days on each path, and no row to an account that only translated", () => {
    expect(row!.paths).toEqual({ orders: 0.6, reads: 0.3, translate: 0.1, other: 0 });
    expect(others).toEqual([]);
  });

  it("has no order times or paths for an account without them", () => {
    const [bare] = accountRows([], [count(0, call("b"))], NOW);
    expect(bare).toMatchObject({ latency: null, paths: null, replayed: { last24h: 0, last7d: 0, last30d: 0 } });
  });

  it("sorts by replays and by p99, those without last", () => {
    const rows = accountRows([], [...hours, count(0, call("b")), count(0, latency("b", 20_000))], NOW);
    expect(sortAccounts(rows, "replays").map((r) => r.account_id)).toEqual(["a", "b"]);
    expect(sortAccounts(rows, "p99").map((r) => r.account_id)).toEqual(["b", "a"]);
  });
});

describe("percentile", () => {
  it("is within a bucket's width of the true percentile, wherever the times lie", () => {
    const times = Array.from({ length: 1_000 }, (_, i) => 100 + i * 2.9);
    const histogram = new Map<number, number>();
    for (const t of times) histogram.set(latencyBucketOf(t), (histogram.get(latencyBucketOf(t)) ?? 0) + 1);
    for (const q of [0.5, 0.9, 0.99]) {
      const truth = times[Math.ceil(q * times.length) - 1]!;
      const found = percentile(histogram, q)!;
      expect(found / truth).toBeGreaterThan(2 ** -0.25);
      expect(found / truth).toBeLessThan(2 ** 0.25);
    }
  });

  it("says nothing without counts", () => {
    expect(percentile(new Map(), 0.5)).toBeNull();
  });
});

describe("the headline and the unverified bucket", () => {
  const rows = accountRows(
    [client("(unverified)", NOW - 60_000, "(unverified)"), client("(others)", NOW - 60_000, "(others)"), client("old", NOW - 40 * DAY_MS)],
    [count(0, call("a")), count(0, call("b")), count(0, call("(unverified)", "refused_by_validation", "(unverified)"), 7)],
    NOW,
  );

  it("counts verified accounts only: neither the unverified bucket nor the others counted together", () => {
    expect(headline(rows)).toEqual({ calling: 2, accounts: 3 });
  });

  it("sets the unverified bucket apart from the accounts", () => {
    const { accounts, unverified } = setUnverifiedApart(rows);
    expect(accounts.map((r) => r.account_id).sort()).toEqual(["(others)", "a", "b", "old"]);
    expect(unverified).toMatchObject({ account_id: "(unverified)", last24h: 7 });
    expect(setUnverifiedApart(accounts).unverified).toBeNull();
  });
});

describe("traffic", () => {
  it("counts the legacy calls of the last full hour and of this one so far, nothing else", () => {
    const orders: Series = { kind: "path", account_id: "a", path: "orders" };
    const t = traffic(
      [count(0, call("a"), 4), count(0, call("b")), count(1, call("a"), 120), count(2, call("a"), 9), count(1, orders)],
      NOW,
    );
    expect(t).toEqual({ lastHour: 120, thisHour: 5, minutesIntoHour: 30 });
  });
});

describe("replicaRows", () => {
  it("lists the replicas heard from in the last 5 minutes, by id, marking another version", () => {
    const beat = (replica: string, ago: number, version = "1.0.0") => ({ replica, version, started_at: 0, at: NOW - ago });
    const rows = replicaRows([beat("b", 1_000, "0.9.0"), beat("gone", 5 * 60_000 + 1), beat("a", 5 * 60_000)], NOW, "1.0.0");
    expect(rows.map((r) => [r.replica, r.other_version])).toEqual([
      ["a", false],
      ["b", true],
    ]);
  });
});

describe("dateSetting", () => {
  it("says whether a configured date has passed", () => {
    expect(dateSetting(new Date(NOW - 1), NOW)).toEqual({ at: NOW - 1, past: true });
    expect(dateSetting(new Date(NOW + DAY_MS), NOW)).toEqual({ at: NOW + DAY_MS, past: false });
    expect(dateSetting(undefined, NOW)).toBeNull();
  });
});

describe("failures", () => {
  const v1 = (code: string, status = 400): Series => ({ kind: "v1_error", code, status });
  const family = (name: string, status = 400): Series => ({ kind: "v1_family", family: name, status });

  it("counts v1 codes by family in requests, with the family's codes most often answered, over 24 h and 7 days, nothing older", () => {
    const { v1: rows } = failures(
      [
        // One request missing five fields, and one missing one of them.
        count(1, family("required_param:*"), 2),
        ...["org_name", "org_city", "org_zip", "telephone", "validity"].map((f) => count(1, v1(`required_param:${f}`))),
        count(1, v1("required_param:validity")),
        count(30, family("upstream_unavailable", 503), 5),
        count(30, v1("upstream_unavailable", 503), 5),
        count(2, family("upstream_unavailable", 503)),
        count(2, v1("upstream_unavailable", 503)),
        count(8 * 24, family("access_denied", 401)),
        count(8 * 24, v1("access_denied", 401)),
      ],
      NOW,
    );
    expect(rows).toEqual([
      { code: "upstream_unavailable", status: "503", last24h: 1, last7d: 6, codes: [], more: 0 },
      {
        code: "required_param:*",
        status: "400",
        last24h: 2,
        last7d: 2,
        codes: [
          { code: "required_param:validity", last7d: 2 },
          { code: "required_param:org_city", last7d: 1 },
          { code: "required_param:org_name", last7d: 1 },
        ],
        more: 2,
      },
    ]);
  });

  it("lists v2's codes behind upstream refusals one by one", () => {
    const { v2 } = failures(
      [count(3, { kind: "v2_error", code: "invalid_contact:verified_contact", v2_status: "400" }), count(3, call("a"))],
      NOW,
    );
    expect(v2).toEqual([{ code: "invalid_contact:verified_contact", status: "400", last24h: 1, last7d: 1 }]);
  });
});
