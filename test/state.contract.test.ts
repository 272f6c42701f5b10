import { join } from "node:path";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import { MemoryStore } from "../src/state/memory.js";
import { redisStore } from "../src/state/redis/store.js";
import { SqliteStore } from "../src/state/sqlite.js";
import type { StateStore } from "../src/state/store.js";
import { clientsViewContract } from "./state/clients-view.contract.js";
import { flagsContract } from "./state/flags.contract.js";
import { hitLogsContract } from "./state/hit-logs.contract.js";
import { ledgerContract } from "./state/ledger.contract.js";
import { pacingContract } from "./state/pacing.contract.js";
import { replicaBeatsContract } from "./state/replicas.contract.js";
import { restartContract } from "./state/restart.contract.js";
import { DAY, type StoreUnderTest } from "./state/store-under-test.js";
import { type RedisServer, startRedis } from "./support/redis.js";
import { tempDir } from "./support/temp-files.js";

// One contract per role of the state store (test/state/*.contract.ts), each run
// against the three backends: what the shim asks of its store holds the same in
// memory, in SQLite and in a real Redis. "Several" stores are several handles on
// one backend (one file, one Redis), as several replicas would have.

let redis: RedisServer;
let namespace = 0;
const opened: StateStore[] = [];
const track = (stores: StateStore[]) => {
  opened.push(...stores);
  return stores;
};

async function onRedis(prefix: string): Promise<StateStore> {
  const store = redisStore({ url: redis.url, prefix, ledgerRetentionMs: 30 * DAY });
  await store.connect();
  return store;
}

let lastSqlite = "";
let lastPrefix = "";
const backends: StoreUnderTest<StateStore>[] = [
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
      return track(await Promise.all(Array.from({ length: n }, () => onRedis(lastPrefix))));
    },
    reopen: async () => track([await onRedis(lastPrefix)])[0]!,
  },
];

beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  for (const store of opened) await store.close();
  await redis.stop();
});

describe.each(backends)("the state store: $name", (backend) => {
  pacingContract(backend);
  hitLogsContract(backend);
  flagsContract(backend);
  clientsViewContract(backend);
  ledgerContract(backend);
  replicaBeatsContract(backend);
  restartContract(backend);
});

describe("the Redis store's scripts", () => {
  it("run again after Redis forgot them (a restart without its scripts, SCRIPT FLUSH)", async () => {
    const [store] = await backends[2]!.open();
    const windows = [{ limit: 1, windowMs: 60_000 }];
    expect((await store!.reserve("k", windows, 0)).admitted).toBe(true);
    const admin = new Redis(redis.url);
    onTestFinished(() => admin.disconnect());
    await admin.script("FLUSH");
    expect((await store!.reserve("k", windows, 0)).admitted).toBe(false);
    expect(await store!.sharedSecret("s", "first")).toBe("first");
  });
});
