import { join } from "node:path";
import { DatabaseSync as Database } from "node:sqlite";
import { describe, expect, it } from "vitest";
import { SqliteStore } from "../src/state/sqlite.js";
import { tempDir } from "./support/temp-files.js";

// The ledger's placing records have a table of their own (in_flight); a state file
// written by an earlier shim holds them among the settled ones, and must read the same.
describe("a SQLite state file written before in_flight existed", () => {
  it("keeps its placing records placing: counted, claimable, settled and swept as any", async () => {
    const path = join(tempDir("shim-sqlite-old-"), "state.db");
    const now = Date.now();
    const old = new Database(path);
    old.exec(`CREATE TABLE placements (
      alternative_order_id TEXT PRIMARY KEY, account_id TEXT NOT NULL, req_id TEXT NOT NULL, state TEXT NOT NULL,
      v2_order_id INTEGER, v2_status TEXT, replica TEXT NOT NULL, owner TEXT NOT NULL, lease_until REAL, fingerprint TEXT,
      created_at REAL NOT NULL, updated_at REAL NOT NULL)`);
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
    const claim = await store.claimPlacement("v1shimleft", "new", now + 60_000, now);
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
