import { describe, expect, it } from "vitest";
import { HOUR_MS, type Series, seriesName } from "../observability/usage-series.js";
import type { HourCount } from "../state/store.js";
import { accountRows, ageText, CHART_DAYS, DAY_MS, failures, readSortKey, sortAccounts, volume } from "./aggregate.js";

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

describe("failures", () => {
  it("counts v1 codes with their status and v2's codes over 24 h and 7 days, most frequent first, nothing older", () => {
    const { v1, v2 } = failures(
      [
        count(1, { kind: "v1_error", code: "invalid_param:validity", status: 400 }, 2),
        count(30, { kind: "v1_error", code: "upstream_unavailable", status: 503 }, 5),
        count(2, { kind: "v1_error", code: "upstream_unavailable", status: 503 }),
        count(8 * 24, { kind: "v1_error", code: "access_denied", status: 401 }),
        count(3, { kind: "v2_error", code: "invalid_contact:verified_contact", v2_status: "400" }),
        count(3, call("a")),
      ],
      NOW,
    );
    expect(v1).toEqual([
      { code: "upstream_unavailable", status: "503", last24h: 1, last7d: 6 },
      { code: "invalid_param:validity", status: "400", last24h: 2, last7d: 2 },
    ]);
    expect(v2).toEqual([{ code: "invalid_contact:verified_contact", status: "400", last24h: 1, last7d: 1 }]);
  });
});

describe("ageText", () => {
  it("says an age at a glance", () => {
    expect([ageText(5_000), ageText(5 * 60_000), ageText(3 * HOUR_MS + 60_000), ageText(2 * DAY_MS + 4 * HOUR_MS)]).toEqual([
      "5 s",
      "5 min",
      "3 h 1 min",
      "2 d 4 h",
    ]);
  });
});
