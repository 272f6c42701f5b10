import { describe, expect, it } from "vitest";
import { busiest } from "../../test/support/busiest.js";
import { MemoryStore } from "../state/memory.js";
import { KnownKeys, NEW_KEYS_BUCKET, Pacer, type PaceStore } from "./pacer.js";

function clock(start = 0) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

/** The real in-memory store, noting the buckets asked for. */
function recording(store: PaceStore) {
  const buckets = new Set<string>();
  const recorded: PaceStore = {
    reserve: (bucket, windows, maxWaitMs) => {
      buckets.add(bucket);
      return store.reserve(bucket, windows, maxWaitMs);
    },
    holdBack: (bucket, ms) => store.holdBack(bucket, ms),
    inheritPace: (bucket, from) => store.inheritPace(bucket, from),
    setFlag: (name, ttl) => store.setFlag(name, ttl),
    hasFlag: (name) => store.hasFlag(name),
  };
  return { buckets, store: recorded };
}

const ok = { kind: "answer", status: 201, body: {} } as const;
const tooMany = (retryAfterSeconds?: number) => ({ kind: "answer", status: 429, body: {}, retryAfterSeconds }) as const;

describe("Pacer", () => {
  it("lets a burst up to the limit go at once, then spaces calls so no window holds more than its limit", async () => {
    const time = clock();
    const windows = [
      { limit: 100, windowMs: 5_000 },
      { limit: 1000, windowMs: 180_000 },
    ];
    const pacer = new Pacer(windows, new MemoryStore(time.now));
    const admitted: number[] = [];
    const waits: number[] = [];
    for (let i = 0; i < 1500; i++) {
      const { waitMs } = await pacer.reserve("key", Infinity);
      waits.push(waitMs);
      admitted.push(time.now() + waitMs);
      if (i % 7 === 6) time.advance(13);
    }
    expect(waits.slice(0, 100)).toEqual(Array(100).fill(0));
    expect(waits[100]).toBeGreaterThan(0);
    expect(busiest(admitted, 5_000)).toBe(100);
    expect(busiest(admitted, 180_000)).toBe(1000);
  });

  it("refuses, reserving nothing, when the wait would be longer than allowed", async () => {
    const time = clock();
    const pacer = new Pacer([{ limit: 2, windowMs: 1_000 }], new MemoryStore(time.now));
    expect(await pacer.reserve("key", 0)).toEqual({ admitted: true, waitMs: 0 });
    expect(await pacer.reserve("key", 0)).toEqual({ admitted: true, waitMs: 0 });
    expect(await pacer.reserve("key", 500)).toEqual({ admitted: false, waitMs: 1_000 });
    expect(await pacer.reserve("key", 1_000)).toEqual({ admitted: true, waitMs: 1_000 });
    time.advance(2_000);
    expect(await pacer.reserve("key", 0)).toEqual({ admitted: true, waitMs: 0 });
  });

  it("keeps keys apart", async () => {
    const pacer = new Pacer([{ limit: 1, windowMs: 1_000 }], new MemoryStore(() => 0));
    expect((await pacer.reserve("a", 0)).admitted).toBe(true);
    expect((await pacer.reserve("b", 0)).admitted).toBe(true);
    expect((await pacer.reserve("a", 0)).admitted).toBe(false);
  });

  it("admits everything at once without windows", async () => {
    expect(await new Pacer([]).reserve("key", 0)).toEqual({ admitted: true, waitMs: 0 });
  });

  it("says the slot is unavailable when its store fails (SHIM_STATE_REQUIRED)", async () => {
    const failing = Object.assign(new MemoryStore(), { reserve: () => Promise.reject(new Error("down")) });
    expect(await new Pacer([{ limit: 1, windowMs: 1_000 }], failing).reserve("key", 0)).toMatchObject({
      admitted: false,
      unavailable: true,
    });
  });

  describe("after a 429 that does not say how long to wait", () => {
    it("holds the key back for the rest of its shortest window, and only that key", async () => {
      const time = clock();
      const windows = [
        { limit: 100, windowMs: 5_000 },
        { limit: 1000, windowMs: 180_000 },
      ];
      const pacer = new Pacer(windows, new MemoryStore(time.now));
      await pacer.reserve("key", 0);
      await pacer.settle("key", tooMany());
      const held = await pacer.reserve("key", 2_000);
      expect(held).toEqual({ admitted: false, waitMs: 5_000 });
      expect((await pacer.reserve("other", 0)).admitted).toBe(true);
      time.advance(3_500);
      // Within the wait allowed: the call waits for the end of the hold rather than going now.
      expect(await pacer.reserve("key", 2_000)).toEqual({ admitted: true, waitMs: 1_500 });
    });

    it("does not hold back after a 429 with Retry-After, which the placement waits out itself", async () => {
      const pacer = new Pacer([{ limit: 100, windowMs: 5_000 }], new MemoryStore(() => 0));
      await pacer.settle("key", tooMany(1));
      expect(await pacer.reserve("key", 0)).toEqual({ admitted: true, waitMs: 0 });
    });
  });

  describe("passthrough: keys v2 has not accepted", () => {
    const newKeyWindows = [{ limit: 3, windowMs: 60_000 }];

    it("share one small budget, and get their own once v2 has accepted them", async () => {
      const store = new MemoryStore(() => 0);
      const pacer = new Pacer([{ limit: 100, windowMs: 60_000 }], store, {
        newKeys: { windows: newKeyWindows, known: new KnownKeys(store, 60_000) },
      });
      for (const key of ["made-up-1", "made-up-2", "made-up-3"]) expect((await pacer.reserve(key, 0)).admitted).toBe(true);
      expect((await pacer.reserve("made-up-4", 0)).admitted).toBe(false);
      expect((await pacer.reserve("real", 0)).admitted).toBe(false);
      await pacer.settle("real", ok);
      // Its own bucket starts with the calls made while it was new: three of its hundred.
      for (let i = 0; i < 97; i++) expect((await pacer.reserve("real", 0)).admitted).toBe(true);
      expect((await pacer.reserve("real", 0)).admitted).toBe(false);
    });

    it("keep no state each, however many there are", async () => {
      const { buckets, store } = recording(new MemoryStore(() => 0));
      const pacer = new Pacer([{ limit: 100, windowMs: 60_000 }], store, {
        newKeys: { windows: newKeyWindows, known: new KnownKeys(store, 60_000) },
      });
      for (let i = 0; i < 5_000; i++) await pacer.reserve(`made-up-${i}`, 0);
      expect([...buckets]).toEqual([NEW_KEYS_BUCKET]);
    });

    it("are known to every pacer on the same store once one has seen v2 accept them", async () => {
      const store = new MemoryStore(() => 0);
      const [here, there] = [new KnownKeys(store, 60_000), new KnownKeys(store, 60_000)];
      here.accept("digest");
      expect(there.knownHere("digest")).toBe(false);
      expect(await there.knows("digest")).toBe(true);
      expect(there.knownHere("digest")).toBe(true);
    });
  });
});
