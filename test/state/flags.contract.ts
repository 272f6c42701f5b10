import { describe, expect, it } from "vitest";
import type { Flags } from "../../src/state/store.js";
import { eventually } from "../support/eventually.js";
import type { StoreUnderTest } from "./store-under-test.js";

export function flagsContract(backend: StoreUnderTest<Flags>): void {
  describe("flags", () => {
    it("keeps flags until they lapse", async () => {
      const [store] = await backend.open();
      await store!.setFlag("f", 60_000);
      await store!.setFlag("short", 100);
      expect(await store!.hasFlag("f")).toBe(true);
      expect(await store!.hasFlag("never")).toBe(false);
      await eventually("the short flag lapsed", async () => !(await store!.hasFlag("short")));
      expect(await store!.hasFlag("f")).toBe(true);
    });
  });
}
