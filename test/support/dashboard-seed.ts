import { UNVERIFIED } from "../../src/observability/client-usage.js";
import { latencyBucketOf, type Series, seriesName } from "../../src/observability/usage-series.js";
import type { ClientsView, OrderLedger } from "../../src/state/store.js";

const DAY = 86_400_000;
const HOUR = 3_600_000;

/** The past the dashboard tests write to the store directly: days no request of the test can make. */
export const SEEDED = {
  /** Called on each of these past days (days ago), at noon UTC. */
  pastAccount: "002002",
  pastAgent: "LegacyJava/7",
  pastDays: [1, 3, 4, 9],
  /** Last heard of 40 days ago: migrated. */
  migratedAccount: "003003",
  unknownOrder: "v1shim0123456789abcdef0123456789abcdef",
  /** The past account's orders of two hours ago: 40 took 800 ms, one 12 s. */
  latencies: [
    { ms: 800, orders: 40 },
    { ms: 12_000, orders: 1 },
  ],
  /** Calls two hours ago whose credentials were not accepted: the unverified bucket, no account. */
  unverifiedCalls: 9,
  /** What v2 refused two hours ago, three times. */
  v2Refusal: { code: "invalid_contact:verified_contact", v2_status: "400", count: 3 },
};

export async function seedDashboardPast(store: ClientsView & OrderLedger) {
  const now = Date.now();
  const noon = (daysAgo: number) => now - (now % DAY) - daysAgo * DAY + 12 * HOUR;
  const call = (account_id: string, user_agent: string, outcome: string) => seriesName({ kind: "call", account_id, user_agent, outcome });
  const twoHoursAgo = now - 2 * HOUR;
  const at = (hour: number, series: Series, count: number) => ({ hour: hour - (hour % HOUR), series: seriesName(series), count });
  const { v2Refusal } = SEEDED;
  await store.addHourCounts(
    [
      ...SEEDED.pastDays.map((daysAgo, i) => ({
        hour: noon(daysAgo),
        series: call(SEEDED.pastAccount, SEEDED.pastAgent, "ordered"),
        count: 3 + i,
      })),
      ...SEEDED.latencies.map(({ ms, orders }) =>
        at(twoHoursAgo, { kind: "order_latency", account_id: SEEDED.pastAccount, bucket: latencyBucketOf(ms) }, orders),
      ),
      at(
        twoHoursAgo,
        { kind: "call", account_id: UNVERIFIED, user_agent: UNVERIFIED, outcome: "refused_by_validation" },
        SEEDED.unverifiedCalls,
      ),
      at(twoHoursAgo, { kind: "v2_error", code: v2Refusal.code, v2_status: v2Refusal.v2_status }, v2Refusal.count),
      at(twoHoursAgo, { kind: "v1_family", family: "invalid_contact:*", status: 400 }, v2Refusal.count),
      at(twoHoursAgo, { kind: "v1_error", code: v2Refusal.code, status: 400 }, v2Refusal.count),
    ],
    { maxSeriesPerHour: 100, othersSeries: '["others"]' },
  );
  const pair = (account_id: string, user_agent: string, at: number) => ({
    account_id,
    user_agent,
    first_seen: at,
    last_seen: at,
    counts: { ordered: 1 },
  });
  await store.mergeClients(
    [
      pair(SEEDED.pastAccount, SEEDED.pastAgent, noon(1)),
      pair(SEEDED.migratedAccount, "Ancient/1", now - 40 * DAY),
      pair(UNVERIFIED, UNVERIFIED, twoHoursAgo),
    ],
    { maxClients: 100, othersKey: "(others)" },
  );
  await store.admitPlacement(
    {
      alternative_order_id: SEEDED.unknownOrder,
      account_id: "001007",
      req_id: "seeded",
      state: "placing",
      v2_order_id: null,
      v2_status: null,
      replica: "seed",
      owner: "seed",
      lease_until: null,
      fingerprint: null,
      created_at: now - 2 * HOUR,
      updated_at: now - 2 * HOUR,
    },
    null,
  );
  await store.settlePlacements([
    { alternative_order_id: SEEDED.unknownOrder, state: "unknown", v2_order_id: null, v2_status: "ETIMEDOUT", at: now - HOUR },
  ]);
}
