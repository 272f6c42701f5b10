import { describe, expect, it } from "vitest";
import type { Pacing } from "../../src/state/store.js";
import { eventually } from "../support/eventually.js";
import { SHORT_MS, type StoreUnderTest } from "./store-under-test.js";

export function pacingContract(backend: StoreUnderTest<Pacing>): void {
  describe("pacing", () => {
    it("admits a burst up to the limit at once, then says when the next slot frees, and refuses past the longest wait", async () => {
      const [store] = await backend.open();
      const windows = [{ limit: 3, windowMs: 60_000 }];
      const waits = [];
      for (let i = 0; i < 3; i++) waits.push(await store!.reserve("k", windows, 0));
      expect(waits).toEqual(Array(3).fill({ admitted: true, waitMs: 0 }));
      const refused = await store!.reserve("k", windows, 1_000);
      expect(refused.admitted).toBe(false);
      expect(refused.waitMs).toBeGreaterThan(50_000);
      expect(refused.waitMs).toBeLessThanOrEqual(60_000);
      // Nothing was reserved by the refusal: a call that may wait gets the same slot.
      const queued = await store!.reserve("k", windows, Infinity);
      expect(queued.admitted).toBe(true);
      expect(queued.waitMs).toBeLessThanOrEqual(refused.waitMs);
      expect((await store!.reserve("other", windows, 0)).admitted).toBe(true);
    });

    it("applies every window: the tighter one sets the wait", async () => {
      const [store] = await backend.open();
      const windows = [
        { limit: 5, windowMs: 1_000 },
        { limit: 2, windowMs: 60_000 },
      ];
      await store!.reserve("k", windows, 0);
      await store!.reserve("k", windows, 0);
      expect((await store!.reserve("k", windows, Infinity)).waitMs).toBeGreaterThan(50_000);
    });

    it("admits again once the window has passed", async () => {
      const [store] = await backend.open();
      const windows = [{ limit: 1, windowMs: SHORT_MS }];
      await store!.reserve("k", windows, 0);
      expect((await store!.reserve("k", windows, 0)).admitted).toBe(false);
      // A refusal reserves nothing: asking again and again changes nothing until the window has passed.
      await eventually("a slot once the window has passed", async () => (await store!.reserve("k", windows, 0)).admitted);
    });

    it("holds a bucket back for the time asked, whatever its log says", async () => {
      const [store] = await backend.open();
      const windows = [{ limit: 100, windowMs: 60_000 }];
      await store!.holdBack("k", 30_000);
      const held = await store!.reserve("k", windows, 1_000);
      expect(held.admitted).toBe(false);
      expect(held.waitMs).toBeGreaterThan(25_000);
      expect((await store!.reserve("other", windows, 0)).admitted).toBe(true);
    });

    it("gives an empty bucket another's calls, and leaves a bucket with calls of its own as it is", async () => {
      const [store] = await backend.open();
      const windows = [{ limit: 3, windowMs: 60_000 }];
      await store!.reserve("shared", windows, 0);
      await store!.reserve("shared", windows, 0);
      await store!.inheritPace("own", "shared");
      expect((await store!.reserve("own", windows, 0)).admitted).toBe(true);
      expect((await store!.reserve("own", windows, 0)).admitted).toBe(false);
      await store!.inheritPace("own", "shared");
      expect((await store!.reserve("own", windows, 0)).admitted).toBe(false);
      expect((await store!.reserve("shared", windows, 0)).admitted).toBe(true);
    });

    it("says how full each bucket is, busiest first, with its hold, from any handle", async () => {
      const stores = await backend.open(2);
      const windows = [{ limit: 10, windowMs: 60_000 }];
      for (let i = 0; i < 3; i++) await stores[0]!.reserve("busy", windows, 0);
      await stores[1]!.reserve("quiet", windows, 0);
      await stores[1]!.holdBack("held", 30_000);
      const loads = await stores[1]!.paceLoad(60_000, 10);
      expect(loads.map((l) => [l.bucket, l.calls])).toEqual([
        ["busy", 3],
        ["quiet", 1],
        ["held", 0],
      ]);
      expect(loads[2]!.heldUntil).toBeGreaterThan(Date.now() + 20_000);
      expect(loads[0]!.heldUntil).toBeNull();
      expect((await stores[0]!.paceLoad(60_000, 1)).map((l) => l.bucket)).toEqual(["busy"]);
    });

    it("never over-admits when several handles race", async () => {
      const stores = await backend.open(3);
      const windows = [{ limit: 10, windowMs: 60_000 }];
      const slots = await Promise.all(Array.from({ length: 60 }, (_, i) => stores[i % 3]!.reserve("k", windows, 0)));
      expect(slots.filter((s) => s.admitted)).toHaveLength(10);
    });
  });
}
