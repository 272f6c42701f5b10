import { describe, expect, it } from "vitest";
import type { HitLogs } from "../../src/state/store.js";
import { eventually } from "../support/eventually.js";
import { SHORT_MS, type StoreUnderTest } from "./store-under-test.js";

export function hitLogsContract(backend: StoreUnderTest<HitLogs>): void {
  describe("hit logs (failed logins)", () => {
    it("admits into every scope or none, removes a token, and says when a full scope frees", async () => {
      const [store] = await backend.open();
      const scopes = [
        { key: "a", limit: 2 },
        { key: "b", limit: 5 },
      ];
      expect(await store!.hitAdmit(scopes, 60_000, "t1")).toEqual({ admitted: true });
      expect(await store!.hitAdmit(scopes, 60_000, "t2")).toEqual({ admitted: true });
      const full = await store!.hitAdmit(scopes, 60_000, "t3");
      expect(full.admitted).toBe(false);
      if (!full.admitted) expect(full.retryAfterMs).toBeGreaterThan(50_000);
      // t3 was not added to b: b holds 2 of 5.
      expect(await store!.hitCheck([{ key: "b", limit: 3 }], 60_000)).toEqual({ admitted: true });
      await store!.hitRemove(["a"], "t1");
      expect(await store!.hitCheck([{ key: "a", limit: 2 }], 60_000)).toEqual({ admitted: true });
      await store!.hitAdd(["a", "c"], 60_000, "t4");
      expect((await store!.hitCheck([{ key: "a", limit: 2 }], 60_000)).admitted).toBe(false);
      expect((await store!.hitCheck([{ key: "c", limit: 1 }], 60_000)).admitted).toBe(false);
    });

    it("forgets entries older than the window", async () => {
      const [store] = await backend.open();
      await store!.hitAdd(["a"], SHORT_MS, "t1");
      expect((await store!.hitCheck([{ key: "a", limit: 1 }], SHORT_MS)).admitted).toBe(false);
      await eventually("the entry forgotten once the window has passed", async () =>
        expect(await store!.hitCheck([{ key: "a", limit: 1 }], SHORT_MS)).toEqual({ admitted: true }),
      );
    });

    it("never over-admits when several handles race", async () => {
      const stores = await backend.open(3);
      const results = await Promise.all(
        Array.from({ length: 30 }, (_, i) => stores[i % 3]!.hitAdmit([{ key: "acct", limit: 5 }], 60_000, `t${i}`)),
      );
      expect(results.filter((r) => r.admitted)).toHaveLength(5);
    });
  });
}
