import { expect, it } from "vitest";
import type { StateStore } from "../../src/state/store.js";
import { placement } from "./ledger.contract.js";
import type { StoreUnderTest } from "./store-under-test.js";

/** What a store that persists keeps of every role once it is closed and opened again. */
export function restartContract(backend: StoreUnderTest<StateStore>): void {
  it.runIf(backend.persists)("keeps everything across a restart", async () => {
    const [store] = await backend.open();
    await store!.admitPlacement(placement("v1shimkept"), null);
    await store!.mergeClients([{ account_id: "a", user_agent: "u", first_seen: 1, last_seen: 2, counts: { read: 3 } }], {
      maxClients: 10,
      othersKey: "(others)",
    });
    await store!.reserve("k", [{ limit: 1, windowMs: 60_000 }], 0);
    await store!.addHourCounts([{ hour: 3_600_000, series: "s", count: 2 }], { maxSeriesPerHour: 5, othersSeries: "(others)" });
    await store!.sharedSecret("s", "kept");
    await store!.close();
    const again = await backend.reopen!();
    expect((await again.listPlacements({ limit: 5 })).placements.map((p) => p.alternative_order_id)).toEqual(["v1shimkept"]);
    expect(await again.sharedSecret("s", "new")).toBe("kept");
    expect((await again.clients()).clients).toEqual([
      { account_id: "a", user_agent: "u", first_seen: 1, last_seen: 2, counts: { read: 3 } },
    ]);
    expect((await again.reserve("k", [{ limit: 1, windowMs: 60_000 }], 0)).admitted).toBe(false);
    expect(await again.hourCounts(0)).toEqual([{ hour: 3_600_000, series: "s", count: 2 }]);
  });
}
