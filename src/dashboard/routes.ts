import type { Context } from "hono";
import type { ShimEnv } from "../http/env.js";
import { type AccountRow, DAY_MS, type DateSetting, readSortKey } from "./aggregate.js";
import { type DashboardData, type DashboardSources, dashboardData } from "./data.js";
import { dashboardPage } from "./page.js";

const iso = (ms: number) => new Date(ms).toISOString();

/** An account's row as JSON: its times in ISO 8601, its order times to the millisecond. */
const accountJson = ({ latency, ...a }: AccountRow) => ({
  ...a,
  last_seen: iso(a.last_seen),
  latency: latency && { orders: latency.orders, p50_ms: Math.round(latency.p50_ms), p99_ms: Math.round(latency.p99_ms) },
  agents: a.agents.map((agent) => ({ ...agent, last_seen: iso(agent.last_seen) })),
});

const dateJson = (date: DateSetting | null) => date && { at: iso(date.at), past: date.past };

/** The page's data as JSON: the same numbers, times as ISO 8601 and each chart day named. */
function jsonOf(data: DashboardData) {
  const order = ({ created_at, ...o }: DashboardData["orders"]["unknown"][number]) => ({ ...o, created_at: iso(created_at) });
  return {
    ...data,
    now: iso(data.now),
    health: {
      ...data.health,
      replicas: data.health.replicas.map((r) => ({ ...r, started_at: iso(r.started_at), at: iso(r.at) })),
      pacing: data.health.pacing.map((p) => ({ ...p, held_until: p.held_until === null ? null : iso(p.held_until) })),
      deprecation: dateJson(data.health.deprecation),
      sunset: dateJson(data.health.sunset),
    },
    accounts: data.accounts.map(accountJson),
    unverified: data.unverified && accountJson(data.unverified),
    volume: {
      days: data.volume.series[0]!.perDay.map((_, i) => iso(data.volume.firstDay + i * DAY_MS).slice(0, 10)),
      series: data.volume.series,
    },
    orders: { unknown: data.orders.unknown.map(order), settled_later: data.orders.settledLater.map(order) },
  };
}

/** `GET /_shim/dashboard` and `/_shim/dashboard.json`, behind the admin token (requireAdminToken). */
export function dashboardHandlers(sources: DashboardSources) {
  const read = (c: Context<ShimEnv>) => dashboardData(sources, readSortKey(c.req.query("sort")));
  // No cache may keep a page that only the token opens.
  const headers = { "Cache-Control": "no-store" };
  return {
    page: async (c: Context<ShimEnv>) => c.html(dashboardPage(await read(c)), 200, headers),
    json: async (c: Context<ShimEnv>) => c.json(jsonOf(await read(c)), 200, headers),
  };
}
