import { describe, expect, it } from "vitest";
import type { ClientsView, StoreUpkeep } from "../../src/state/store.js";
import { DAY, type StoreUnderTest } from "./store-under-test.js";

/** The clients view and its hour counts, and the sweep that forgets them. */
export function clientsViewContract(backend: StoreUnderTest<ClientsView & Pick<StoreUpkeep, "sweep">>): void {
  describe("the clients view", () => {
    const delta = (account_id: string, at: number, ordered = 1) => ({
      account_id,
      user_agent: "Agent/1",
      first_seen: at,
      last_seen: at,
      counts: { ordered },
    });
    const limits = { maxClients: 3, othersKey: "(others)" };

    it("adds counts, widens first and last seen, and counts pairs past the bound together", async () => {
      const stores = await backend.open(2);
      await stores[0]!.mergeClients([delta("a", 2_000), delta("b", 2_000)], limits);
      await stores[1]!.mergeClients(
        [delta("a", 1_000, 2), delta("a", 3_000), delta("c", 2_000), delta("d", 2_000), delta("e", 2_000)],
        limits,
      );
      const { clients, since } = await stores[0]!.clients();
      expect(since).toBeGreaterThan(0);
      const byAccount = Object.fromEntries(clients.map((c) => [c.account_id, c]));
      expect(byAccount.a).toEqual({ account_id: "a", user_agent: "Agent/1", first_seen: 1_000, last_seen: 3_000, counts: { ordered: 4 } });
      expect(Object.keys(byAccount).sort()).toEqual(["(others)", "a", "b", "c"]);
      expect(byAccount["(others)"]!.counts.ordered).toBe(2);
    });

    it("forgets callers not seen within the retention", async () => {
      const [store] = await backend.open();
      const now = Date.now();
      await store!.mergeClients([delta("old", now - 10 * DAY), delta("new", now)], limits);
      await store!.sweep({ now, ledgerRetentionMs: 30 * DAY, clientsRetentionMs: 5 * DAY });
      expect((await store!.clients()).clients.map((c) => c.account_id)).toEqual(["new"]);
    });
  });

  describe("hour counts", () => {
    const HOUR = 3_600_000;
    const limits = { maxSeriesPerHour: 3, othersSeries: "(others)" };
    const sorted = (counts: { hour: number; series: string; count: number }[]) =>
      [...counts].sort((a, b) => a.hour - b.hour || (a.series < b.series ? -1 : 1));

    it("adds counts per hour from several handles, bounds the series of an hour, and reads from an hour on", async () => {
      const stores = await backend.open(2);
      const h = 1_000 * HOUR;
      await stores[0]!.addHourCounts(
        [
          { hour: h, series: "a", count: 2 },
          { hour: h, series: "b", count: 1 },
          { hour: h + HOUR, series: "a", count: 5 },
        ],
        limits,
      );
      await stores[1]!.addHourCounts(
        [
          { hour: h, series: "a", count: 3 },
          { hour: h, series: "c", count: 1 },
          { hour: h, series: "d", count: 4 },
          { hour: h, series: "e", count: 1 },
          { hour: h - HOUR, series: "old", count: 9 },
        ],
        limits,
      );
      expect(sorted(await stores[0]!.hourCounts(h))).toEqual([
        { hour: h, series: "(others)", count: 5 },
        { hour: h, series: "a", count: 5 },
        { hour: h, series: "b", count: 1 },
        { hour: h, series: "c", count: 1 },
        { hour: h + HOUR, series: "a", count: 5 },
      ]);
      expect(sorted(await stores[1]!.hourCounts(h - HOUR))[0]).toEqual({ hour: h - HOUR, series: "old", count: 9 });
    });

    it("forgets hours past the clients view's retention", async () => {
      const [store] = await backend.open();
      const now = Date.now();
      const hour = (ms: number) => ms - (ms % HOUR);
      await store!.addHourCounts(
        [
          { hour: hour(now - 10 * DAY), series: "old", count: 1 },
          { hour: hour(now), series: "new", count: 1 },
        ],
        limits,
      );
      await store!.sweep({ now, ledgerRetentionMs: 30 * DAY, clientsRetentionMs: 5 * DAY });
      expect((await store!.hourCounts(0)).map((c) => c.series)).toEqual(["new"]);
    });
  });
}
