import { describe, expect, it } from "vitest";
import type { ReplicaBeats, StoreUpkeep } from "../../src/state/store.js";
import type { StoreUnderTest } from "./store-under-test.js";

export function replicaBeatsContract(backend: StoreUnderTest<ReplicaBeats & Pick<StoreUpkeep, "close">>): void {
  describe("replicas' beats", () => {
    const beat = (replica: string, at: number, version = "1.0.0") => ({ replica, version, started_at: 1_000, at });

    it("keeps each replica's latest beat, written from any handle, and lists those since a time, the latest first", async () => {
      const stores = await backend.open(2);
      await stores[0]!.beat(beat("r1", 100_000), 0);
      await stores[1]!.beat(beat("r2", 200_000, "1.1.0"), 0);
      await stores[0]!.beat(beat("r1", 300_000), 0);
      await stores[1]!.beat(beat("r3", 200_000), 0);
      expect(await stores[1]!.replicas(150_000)).toEqual([beat("r1", 300_000), beat("r2", 200_000, "1.1.0"), beat("r3", 200_000)]);
      expect((await stores[0]!.replicas(250_000)).map((b) => b.replica)).toEqual(["r1"]);
      expect(await stores[0]!.replicas(400_000)).toEqual([]);
    });

    it("forgets the beats written before the time a beat gives", async () => {
      const [store] = await backend.open();
      await store!.beat(beat("gone", 100_000), 0);
      await store!.beat(beat("kept", 500_000), 0);
      await store!.beat(beat("new", 900_000), 500_000);
      expect((await store!.replicas(0)).map((b) => b.replica)).toEqual(["new", "kept"]);
    });
  });

  it.runIf(backend.persists)("keeps the replicas' beats across a restart", async () => {
    const [store] = await backend.open();
    const now = Date.now();
    await store!.beat({ replica: "r1", version: "1.0.0", started_at: now - 60_000, at: now }, now - 3_600_000);
    await store!.close();
    const again = await backend.reopen!();
    expect(await again.replicas(now - 1)).toEqual([{ replica: "r1", version: "1.0.0", started_at: now - 60_000, at: now }]);
  });
}
