import { describe, expect, it } from "vitest";
import type { OrderLedger, Placement, StoreUpkeep } from "../../src/state/store.js";
import { DAY, type StoreUnderTest } from "./store-under-test.js";

/** One lease for every record a test writes, unless it says otherwise, so that records compare whole. */
const LEASE = Date.now() + 600_000;
export const placement = (id: string, over: Partial<Placement> = {}): Placement => ({
  alternative_order_id: id,
  account_id: "001007",
  req_id: `req-${id}`,
  state: "placing",
  v2_order_id: null,
  v2_status: null,
  replica: "r1",
  owner: "r1",
  lease_until: LEASE,
  fingerprint: null,
  created_at: 1_000,
  updated_at: 1_000,
  ...over,
});

/** The order ledger, its secret, and the sweep that settles abandoned records and forgets old ones. */
export function ledgerContract(backend: StoreUnderTest<OrderLedger & Pick<StoreUpkeep, "sweep">>): void {
  describe("the order ledger", () => {
    const write = async (store: OrderLedger, p: Placement) => expect(await store.admitPlacement(p, null)).toEqual({ admitted: true });

    it("writes a placing record, settles it in place, and lists newest first with filters and pages", async () => {
      const [store] = await backend.open();
      await write(store!, placement("v1shima", { created_at: 1_000 }));
      await write(store!, placement("v1shimb", { created_at: 2_000, account_id: "002008" }));
      await write(store!, placement("v1shimc", { created_at: 2_000 }));
      await write(store!, placement("v1shimd", { created_at: 3_000 }));
      await store!.settlePlacements([
        { alternative_order_id: "v1shima", state: "created", v2_order_id: 500001, v2_status: 201, at: 1_500 },
      ]);
      await store!.settlePlacements([
        { alternative_order_id: "v1shimd", state: "unknown", v2_order_id: null, v2_status: "ECONNRESET", at: 3_500 },
      ]);

      const all = await store!.listPlacements({ limit: 10 });
      expect(all.placements.map((p) => p.alternative_order_id)).toEqual(["v1shimd", "v1shimc", "v1shimb", "v1shima"]);
      expect(all.next).toBeNull();
      expect(all.placements[3]).toEqual(
        placement("v1shima", { state: "created", v2_order_id: 500001, v2_status: 201, lease_until: null, updated_at: 1_500 }),
      );
      expect(all.placements[0]).toMatchObject({ state: "unknown", v2_status: "ECONNRESET", lease_until: null });
      expect(await store!.getPlacement("v1shima")).toEqual(all.placements[3]);
      expect(await store!.getPlacement("v1shimnone")).toBeUndefined();

      const first = await store!.listPlacements({ limit: 2 });
      expect(first.placements.map((p) => p.alternative_order_id)).toEqual(["v1shimd", "v1shimc"]);
      const second = await store!.listPlacements({ limit: 2, cursor: first.next! });
      expect(second.placements.map((p) => p.alternative_order_id)).toEqual(["v1shimb", "v1shima"]);
      expect(second.next).toBeNull();

      const ids = async (filter: object) =>
        (await store!.listPlacements({ limit: 10, ...filter })).placements.map((p) => p.alternative_order_id);
      expect(await ids({ state: "placing" })).toEqual(["v1shimc", "v1shimb"]);
      expect(await ids({ account_id: "001007" })).toEqual(["v1shimd", "v1shimc", "v1shima"]);
      expect(await ids({ account_id: "001007", state: "placing" })).toEqual(["v1shimc"]);
      expect(await store!.countPlacements("unknown")).toBe(1);
      expect(await store!.countPlacements("placing")).toBe(2);
    });

    it("admits one of two placements with one id made together, and the other is told of the first", async () => {
      const [store] = await backend.open();
      const results = await Promise.all([
        store!.admitPlacement(placement("v1shimtwice"), null),
        store!.admitPlacement(placement("v1shimtwice", { account_id: "002008" }), null),
        store!.admitPlacement(placement("v1shimother"), null),
      ]);
      expect(results[0]).toEqual({ admitted: true });
      expect(results[1]).toEqual({ admitted: false, earlier: placement("v1shimtwice") });
      expect(results[2]).toEqual({ admitted: true });
    });

    it("admits a fingerprint once within the window: an earlier live placement stands in the way, one that made nothing does not", async () => {
      const [store] = await backend.open();
      const since = 5_000;
      await write(store!, placement("v1shimold", { fingerprint: "fp1", created_at: 4_000 }));
      expect(await store!.admitPlacement(placement("v1shima", { fingerprint: "fp1", created_at: 6_000 }), since)).toEqual({
        admitted: true,
      });
      const behind = await store!.admitPlacement(placement("v1shimb", { fingerprint: "fp1", created_at: 7_000 }), since);
      expect(behind).toEqual({ admitted: false, earlier: placement("v1shima", { fingerprint: "fp1", created_at: 6_000 }) });
      // Another fingerprint, or no window at all: nothing stands in the way.
      expect(await store!.admitPlacement(placement("v1shimc", { fingerprint: "fp2", created_at: 7_000 }), since)).toEqual({
        admitted: true,
      });
      for (const state of ["refused", "failed"] as const) {
        await store!.settlePlacements([{ alternative_order_id: "v1shima", state, v2_order_id: null, v2_status: 400, at: 7_500 }]);
        expect(await store!.admitPlacement(placement(`v1shim${state}`, { fingerprint: "fp1", created_at: 8_000 }), since)).toEqual({
          admitted: true,
        });
        await store!.settlePlacements([{ alternative_order_id: `v1shim${state}`, state, v2_order_id: null, v2_status: 400, at: 8_500 }]);
      }
      await store!.settlePlacements([{ alternative_order_id: "v1shimc", state: "unknown", v2_order_id: null, v2_status: "x", at: 8_000 }]);
      expect(await store!.admitPlacement(placement("v1shimd", { fingerprint: "fp2", created_at: 9_000 }), since)).toMatchObject({
        admitted: false,
        earlier: { alternative_order_id: "v1shimc", state: "unknown" },
      });
    });

    it("opens a reused id again only for the same fingerprint, once its placement made nothing", async () => {
      const [store] = await backend.open();
      await write(store!, placement("v1shimkey", { fingerprint: "fp1" }));
      expect(await store!.admitPlacement(placement("v1shimkey", { fingerprint: "fp1", req_id: "again" }), null)).toMatchObject({
        admitted: false,
        earlier: { req_id: "req-v1shimkey", state: "placing" },
      });
      await store!.settlePlacements([
        { alternative_order_id: "v1shimkey", state: "refused", v2_order_id: null, v2_status: 400, at: 2_000 },
      ]);
      expect(await store!.admitPlacement(placement("v1shimkey", { fingerprint: "fp2", req_id: "other" }), null)).toMatchObject({
        admitted: false,
        earlier: { fingerprint: "fp1", state: "refused" },
      });
      const again = placement("v1shimkey", { fingerprint: "fp1", req_id: "again", owner: "r2", lease_until: 99_000, updated_at: 3_000 });
      expect(await store!.admitPlacement(again, null)).toEqual({ admitted: true });
      expect(await store!.getPlacement("v1shimkey")).toEqual({ ...again, created_at: 1_000 });
      expect(await store!.countPlacements("placing")).toBe(1);
      expect(await store!.countPlacements("refused")).toBe(0);
    });

    it("lets a replica claim an unknown record, or a placing one once its lease has run out or when it holds it", async () => {
      const [store] = await backend.open();
      const now = Date.now();
      await write(store!, placement("v1shimlive", { lease_until: now + 60_000 }));
      await write(store!, placement("v1shimgone", { lease_until: now - 1 }));
      await write(store!, placement("v1shimdone"));
      await write(store!, placement("v1shimunknown"));
      await store!.settlePlacements([
        { alternative_order_id: "v1shimdone", state: "created", v2_order_id: 7, v2_status: 201, at: now },
        { alternative_order_id: "v1shimunknown", state: "unknown", v2_order_id: null, v2_status: "abandoned", at: now },
      ]);
      const claim = (id: string, owner: string, leaseUntil: number) => store!.claimPlacement(id, { owner, leaseUntil, now });

      expect(await claim("v1shimlive", "r2", now + 30_000)).toMatchObject({ claimed: false, placement: { owner: "r1" } });
      expect(await claim("v1shimlive", "r1", now + 90_000)).toMatchObject({ claimed: true, placement: { lease_until: now + 90_000 } });
      expect(await claim("v1shimgone", "r2", now + 30_000)).toMatchObject({ claimed: true, placement: { owner: "r2" } });
      expect(await claim("v1shimdone", "r2", now + 30_000)).toMatchObject({ claimed: false, placement: { state: "created" } });
      expect(await claim("v1shimnone", "r2", now + 30_000)).toEqual({ claimed: false, placement: undefined });
      expect(await claim("v1shimunknown", "r2", now + 30_000)).toMatchObject({
        claimed: true,
        placement: { state: "placing", owner: "r2", lease_until: now + 30_000, v2_status: "abandoned" },
      });
      // Claimed, it is placing again: listed so, and nobody else's to take until its lease runs out.
      expect(await claim("v1shimunknown", "r3", now + 30_000)).toMatchObject({ claimed: false });
      expect(await store!.countPlacements("unknown")).toBe(0);
      expect((await store!.listPlacements({ state: "placing", limit: 10 })).placements.map((p) => p.alternative_order_id).sort()).toEqual([
        "v1shimgone",
        "v1shimlive",
        "v1shimunknown",
      ]);
      expect(await store!.getPlacement("v1shimgone")).toMatchObject({ owner: "r2", lease_until: now + 30_000 });
    });

    it("sweeps: an abandoned placing record becomes unknown, and records past the retention go", async () => {
      const [store] = await backend.open();
      const now = Date.now();
      await write(store!, placement("v1shimold", { created_at: now - 40 * DAY, lease_until: null, state: "created", fingerprint: "fp" }));
      await write(store!, placement("v1shimabandoned", { created_at: now - 60_000, lease_until: now - 1_000 }));
      await write(store!, placement("v1shiminflight", { created_at: now, lease_until: now + 60_000 }));
      await store!.sweep({ now, ledgerRetentionMs: 30 * DAY, clientsRetentionMs: 90 * DAY });
      const { placements } = await store!.listPlacements({ limit: 10 });
      expect(placements.map((p) => [p.alternative_order_id, p.state])).toEqual([
        ["v1shiminflight", "placing"],
        ["v1shimabandoned", "unknown"],
      ]);
      expect(placements[1]).toMatchObject({ v2_status: "abandoned", lease_until: null });
      expect(await store!.countPlacements("unknown")).toBe(1);
      expect(await store!.countPlacements("created")).toBe(0);
      expect(await store!.getPlacement("v1shimold")).toBeUndefined();
    });

    it("keeps the first secret made under a name, for every handle", async () => {
      const stores = await backend.open(2);
      const secrets = await Promise.all([stores[0]!.sharedSecret("s", "first"), stores[1]!.sharedSecret("s", "second")]);
      expect(new Set(secrets).size).toBe(1);
      expect(await stores[1]!.sharedSecret("s", "third")).toBe(secrets[0]);
      expect(await stores[0]!.sharedSecret("other", "mine")).toBe("mine");
    });
  });
}
