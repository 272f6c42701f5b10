import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MemoryStore } from "../src/state/memory.js";
import { RedisStore } from "../src/state/redis.js";
import { SqliteStore } from "../src/state/sqlite.js";
import type { Placement, StateStore } from "../src/state/store.js";
import { eventually } from "./support/eventually.js";
import { type RedisServer, startRedis } from "./support/redis.js";
import { tempDir } from "./support/temp-files.js";

// One contract, three backends: what the shim asks of its state store holds the
// same in memory, in SQLite and in a real Redis. "Several" stores are several
// handles on one backend (one file, one Redis), as several replicas would have.

const DAY = 86_400_000;
/** A window short enough to wait out, long enough that the calls just after its start fall in it on a busy machine. */
const SHORT_MS = 500;

interface Backend {
  name: string;
  /** `n` handles on one fresh store; the memory backend has only one to share. */
  open(n?: number): Promise<StateStore[]>;
  /** A new handle on what `open` made last, as after a restart; undefined for memory. */
  reopen?(): Promise<StateStore>;
  persists: boolean;
}

let redis: RedisServer;
let namespace = 0;
const opened: StateStore[] = [];
const track = (stores: StateStore[]) => {
  opened.push(...stores);
  return stores;
};

async function redisStore(prefix: string): Promise<StateStore> {
  const store = new RedisStore({ url: redis.url, prefix, ledgerRetentionMs: 30 * DAY });
  await store.connect();
  return store;
}

let lastSqlite = "";
let lastPrefix = "";
const backends: Backend[] = [
  {
    name: "memory",
    persists: false,
    open: async (n = 1) => {
      const store = new MemoryStore();
      return Array.from({ length: n }, () => store);
    },
  },
  {
    name: "sqlite",
    persists: true,
    open: async (n = 1) => {
      lastSqlite = join(tempDir("shim-sqlite-"), "nested", "state.db");
      return track(Array.from({ length: n }, () => new SqliteStore(lastSqlite)));
    },
    reopen: async () => track([new SqliteStore(lastSqlite)])[0]!,
  },
  {
    name: "redis",
    persists: true,
    open: async (n = 1) => {
      lastPrefix = `t${++namespace}:`;
      return track(await Promise.all(Array.from({ length: n }, () => redisStore(lastPrefix))));
    },
    reopen: async () => track([await redisStore(lastPrefix)])[0]!,
  },
];

beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  for (const store of opened) await store.close();
  await redis.stop();
});

/** One lease for every record a test writes, unless it says otherwise, so that records compare whole. */
const LEASE = Date.now() + 600_000;
const placement = (id: string, over: Partial<Placement> = {}): Placement => ({
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

describe.each(backends)("the state store: $name", (backend) => {
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

  it("keeps flags until they lapse", async () => {
    const [store] = await backend.open();
    await store!.setFlag("f", 60_000);
    await store!.setFlag("short", 100);
    expect(await store!.hasFlag("f")).toBe(true);
    expect(await store!.hasFlag("never")).toBe(false);
    await eventually("the short flag lapsed", async () => !(await store!.hasFlag("short")));
    expect(await store!.hasFlag("f")).toBe(true);
  });

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

  describe("the order ledger", () => {
    const write = async (store: StateStore, p: Placement) => expect(await store.admitPlacement(p, null)).toEqual({ admitted: true });

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
});
