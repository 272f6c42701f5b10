import { seriesName } from "../../src/observability/usage-series.js";
import type { StateStore } from "../../src/state/store.js";

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
};

export async function seedDashboardPast(store: Pick<StateStore, "addHourCounts" | "mergeClients" | "admitPlacement" | "settlePlacements">) {
  const now = Date.now();
  const noon = (daysAgo: number) => now - (now % DAY) - daysAgo * DAY + 12 * HOUR;
  const call = (account_id: string, user_agent: string, outcome: string) => seriesName({ kind: "call", account_id, user_agent, outcome });
  await store.addHourCounts(
    SEEDED.pastDays.map((daysAgo, i) => ({
      hour: noon(daysAgo),
      series: call(SEEDED.pastAccount, SEEDED.pastAgent, "ordered"),
      count: 3 + i,
    })),
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
    [pair(SEEDED.pastAccount, SEEDED.pastAgent, noon(1)), pair(SEEDED.migratedAccount, "Ancient/1", now - 40 * DAY)],
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
