import { renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { DatabaseSync as Database } from "node:sqlite";
import { describe, expect, it, onTestFinished } from "vitest";
import { SqliteStore } from "../src/state/sqlite.js";
import { tempDir } from "./support/temp-files.js";

const COLUMNS = `alternative_order_id TEXT PRIMARY KEY, account_id TEXT NOT NULL, req_id TEXT NOT NULL, state TEXT NOT NULL,
      v2_order_id INTEGER, v2_status TEXT, replica TEXT NOT NULL, owner TEXT NOT NULL, lease_until REAL, fingerprint TEXT,
      created_at REAL NOT NULL, updated_at REAL NOT NULL`;

// The ledger is one table. State files written by earlier shims hold their records as those
// shims kept them, and must read the same.
describe("a SQLite state file written before in_flight existed", () => {
  it("keeps its placing records placing: counted, claimable, settled and swept as any", async () => {
    const path = join(tempDir("shim-sqlite-old-"), "state.db");
    const now = Date.now();
    const old = new Database(path);
    old.exec(`CREATE TABLE placements (${COLUMNS})`);
    const insert = old.prepare("INSERT INTO placements VALUES (?, '001007', ?, ?, ?, ?, 'old', 'old', ?, NULL, ?, ?)");
    insert.run("v1shimcreated", "r1", "created", 42, '"201"', null, now - 3_000, now - 3_000);
    insert.run("v1shimleft", "r2", "placing", null, null, now - 1_000, now - 2_000, now - 2_000);
    insert.run("v1shimlive", "r3", "placing", null, null, now + 60_000, now - 1_000, now - 1_000);
    old.close();

    const store = new SqliteStore(path);
    expect(await store.countPlacements("placing")).toBe(2);
    expect((await store.listPlacements({ limit: 10 })).placements.map((p) => [p.alternative_order_id, p.state])).toEqual([
      ["v1shimlive", "placing"],
      ["v1shimleft", "placing"],
      ["v1shimcreated", "created"],
    ]);
    // Its lease ran out: another replica may take it over, and does.
    const claim = await store.claimPlacement("v1shimleft", { owner: "new", leaseUntil: now + 60_000, now });
    expect(claim).toMatchObject({ claimed: true, placement: { owner: "new" } });
    expect((await store.listPlacements({ state: "placing", limit: 10 })).placements.find((p) => p.owner === "new")).toBeDefined();
    await store.settlePlacements([{ alternative_order_id: "v1shimleft", state: "created", v2_order_id: 43, v2_status: 201, at: now }]);
    await store.sweep({ now: now + 120_000, ledgerRetentionMs: 30 * 86_400_000, clientsRetentionMs: 90 * 86_400_000 });
    expect(await store.countPlacements("created")).toBe(2);
    expect(await store.countPlacements("unknown")).toBe(1);
    expect(await store.countPlacements("placing")).toBe(0);
    await store.close();
  });
});

describe("a SQLite state file written while placing records had a table of their own (in_flight)", () => {
  it("brings them back among the others, once, and finds an earlier placement by fingerprint among them", async () => {
    const path = join(tempDir("shim-sqlite-in-flight-"), "state.db");
    const now = Date.now();
    const old = new Database(path);
    old.exec(`CREATE TABLE placements (${COLUMNS}); CREATE TABLE in_flight (${COLUMNS}) WITHOUT ROWID;
      CREATE INDEX placements_by_fingerprint ON placements (fingerprint) WHERE fingerprint IS NOT NULL;`);
    old
      .prepare("INSERT INTO placements VALUES ('v1shimdone', '001007', 'r1', 'created', 42, '201', 'old', 'old', NULL, NULL, ?, ?)")
      .run(now - 3_000, now - 3_000);
    old
      .prepare("INSERT INTO in_flight VALUES ('v1shimflying', '001007', 'r2', 'placing', NULL, NULL, 'old', 'old', ?, 'fp', ?, ?)")
      .run(now + 60_000, now - 1_000, now - 1_000);
    old.close();

    const store = new SqliteStore(path);
    expect((await store.listPlacements({ limit: 10 })).placements.map((p) => [p.alternative_order_id, p.state])).toEqual([
      ["v1shimflying", "placing"],
      ["v1shimdone", "created"],
    ]);
    const retry = await store.admitPlacement(
      {
        alternative_order_id: "v1shimretry",
        account_id: "001007",
        req_id: "r3",
        state: "placing",
        v2_order_id: null,
        v2_status: null,
        replica: "new",
        owner: "new",
        lease_until: now + 60_000,
        fingerprint: "fp",
        created_at: now,
        updated_at: now,
      },
      now - 600_000,
    );
    expect(retry).toMatchObject({ admitted: false, earlier: { alternative_order_id: "v1shimflying" } });
    await store.close();
    const tables = new Database(path, { readOnly: true });
    expect(tables.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'in_flight'").get()).toBeUndefined();
    tables.close();
  });
});

describe("a SQLite state file that goes away while the shim runs", () => {
  it("is said to be down, deleted or replaced, and the path is opened anew: made again when it is gone", async () => {
    const dir = tempDir("shim-sqlite-gone-");
    const path = join(dir, "state.db");
    const store = new SqliteStore(path);
    await store.sharedSecret("s", "before");
    await store.ping();

    for (const file of ["", "-wal", "-shm"]) rmSync(path + file, { force: true });
    await expect(store.ping()).rejects.toThrow(/deleted/);
    // Opened anew: the file is there again, empty, and what is written now is in it.
    await store.ping();
    expect(await store.sharedSecret("s", "after")).toBe("after");

    const other = join(dir, "other.db");
    const replacement = new SqliteStore(other);
    await replacement.sharedSecret("s", "replacement");
    await replacement.close();
    renameSync(other, path);
    await expect(store.ping()).rejects.toThrow(/replaced/);
    await store.ping();
    expect(await store.sharedSecret("s", "ignored")).toBe("replacement");
    await store.close();
  });

  it("is said to be down when it cannot be written, rather than waiting for it", async () => {
    const path = join(tempDir("shim-sqlite-locked-"), "state.db");
    const store = new SqliteStore(path);
    await store.ping();
    // Another connection holds the write lock for as long as the store is asked: the store must give up by itself.
    const holder = new Database(path);
    onTestFinished(() => holder.close());
    holder.exec("BEGIN EXCLUSIVE");
    await expect(store.ping()).rejects.toThrow(/locked|busy/i);
    await expect(store.sharedSecret("s", "x")).rejects.toThrow(/locked|busy/i);
    holder.exec("ROLLBACK");
    await store.ping();
    writeFileSync(join(path, "..", "unrelated"), "");
    await store.close();
  });
});
