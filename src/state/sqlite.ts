import { mkdirSync, rmSync, statSync } from "node:fs";
import { dirname } from "node:path";
import type { RateWindow } from "../lib/rate-window.js";
import { mergeCounts } from "./clients-rules.js";
import { abandoned, admissionStep, claimable, claimed, reopened, settled } from "./placement-rules.js";
import { busiest } from "./sliding-log.js";
import { type Database, openDatabase, sqliteFailure } from "./sqlite-driver.js";
import {
  type Admission,
  type Claim,
  type ClaimResult,
  type ClientCounts,
  type ClientsLimits,
  type HitCheck,
  type HitScope,
  type HourCount,
  type HourLimits,
  type PaceLoad,
  type Placement,
  type PlacementFilter,
  type PlacementOutcome,
  type PlacementPage,
  type PlacementState,
  placementSchema,
  type ReplicaBeat,
  type StateStore,
  type SweepLimits,
} from "./store.js";

// The ledger is one table. Each order's record is written once before it is sent (its admission,
// which looks for an earlier placement of the same order in the same transaction) and updated in place
// with how it ended. Files written by earlier shims are brought to this shape when the store opens.
const COLUMNS =
  "alternative_order_id, account_id, req_id, state, v2_order_id, v2_status, replica, owner, lease_until, fingerprint, created_at, updated_at";

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS pace (bucket TEXT NOT NULL, at REAL NOT NULL, expires REAL NOT NULL);
CREATE INDEX IF NOT EXISTS pace_by_bucket ON pace (bucket, at);
CREATE INDEX IF NOT EXISTS pace_by_expiry ON pace (expires);
CREATE TABLE IF NOT EXISTS pace_holds (bucket TEXT PRIMARY KEY, until REAL NOT NULL);
CREATE TABLE IF NOT EXISTS hits (key TEXT NOT NULL, token TEXT NOT NULL, at REAL NOT NULL, expires REAL NOT NULL, PRIMARY KEY (key, token));
CREATE INDEX IF NOT EXISTS hits_by_time ON hits (key, at);
CREATE INDEX IF NOT EXISTS hits_by_expiry ON hits (expires);
CREATE TABLE IF NOT EXISTS flags (name TEXT PRIMARY KEY, expires REAL NOT NULL);
CREATE TABLE IF NOT EXISTS clients (
  account_id TEXT NOT NULL, user_agent TEXT NOT NULL, first_seen REAL NOT NULL, last_seen REAL NOT NULL, counts TEXT NOT NULL,
  PRIMARY KEY (account_id, user_agent));
CREATE TABLE IF NOT EXISTS hour_counts (hour REAL NOT NULL, series TEXT NOT NULL, count INTEGER NOT NULL, PRIMARY KEY (hour, series));
CREATE TABLE IF NOT EXISTS placements (
  alternative_order_id TEXT PRIMARY KEY, account_id TEXT NOT NULL, req_id TEXT NOT NULL, state TEXT NOT NULL,
  v2_order_id INTEGER, v2_status TEXT, replica TEXT NOT NULL, owner TEXT NOT NULL, lease_until REAL, fingerprint TEXT,
  created_at REAL NOT NULL, updated_at REAL NOT NULL);
CREATE INDEX IF NOT EXISTS placements_by_time ON placements (created_at, alternative_order_id);
CREATE INDEX IF NOT EXISTS placements_by_state ON placements (state, created_at, alternative_order_id);
CREATE INDEX IF NOT EXISTS placements_by_account ON placements (account_id, created_at, alternative_order_id);
DROP INDEX IF EXISTS placements_by_fingerprint;
CREATE INDEX IF NOT EXISTS placements_by_fingerprint_time ON placements (fingerprint, created_at) WHERE fingerprint IS NOT NULL;
`;

/** A file written while placing records had a table of their own (in_flight) has them moved back, once, at open. */
const MERGE_IN_FLIGHT = `
INSERT OR IGNORE INTO placements (${COLUMNS}) SELECT ${COLUMNS} FROM in_flight;
DROP TABLE in_flight;
`;

/**
 * How long a write waits for a lock another process holds: a write waits on the event loop, and one
 * shim per file is the design, so a locked file (another process in it) counts as the store being down.
 */
const BUSY_TIMEOUT_MS = 50;

// Replicas' beats, for the dashboard's health: one row per replica, its latest.
const REPLICAS_SCHEMA = `
CREATE TABLE IF NOT EXISTS replica_beats (replica TEXT PRIMARY KEY, version TEXT NOT NULL, started_at REAL NOT NULL, at REAL NOT NULL);
CREATE INDEX IF NOT EXISTS replica_beats_by_time ON replica_beats (at);
`;

const beatStatements = (db: Database) => ({
  put: db.prepare("INSERT OR REPLACE INTO replica_beats (replica, version, started_at, at) VALUES (@replica, @version, @started_at, @at)"),
  forget: db.prepare("DELETE FROM replica_beats WHERE at < ?"),
  since: db.prepare("SELECT replica, version, started_at, at FROM replica_beats WHERE at >= ? ORDER BY at DESC, replica"),
});

interface Write {
  work: () => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

type Row = Omit<Placement, "v2_status"> & { v2_status: string | null };

const toRow = (p: Placement): Row => ({ ...p, v2_status: p.v2_status === null ? null : JSON.stringify(p.v2_status) });
const fromRow = (row: Row): Placement =>
  placementSchema.parse({ ...row, v2_status: row.v2_status === null ? null : JSON.parse(row.v2_status) });

/** The statements every operation runs, prepared once for each opened file. */
function statementsOf(db: Database) {
  return {
    paceDrop: db.prepare("DELETE FROM pace WHERE bucket = ? AND at <= ?"),
    paceLast: db.prepare("SELECT MAX(at) FROM pace WHERE bucket = ?").pluck(),
    paceNth: db.prepare("SELECT at FROM pace WHERE bucket = ? AND at > ? ORDER BY at DESC LIMIT 1 OFFSET ?").pluck(),
    paceAdd: db.prepare("INSERT INTO pace (bucket, at, expires) VALUES (?, ?, ?)"),
    holdGet: db.prepare("SELECT until FROM pace_holds WHERE bucket = ?").pluck(),
    holdSet: db.prepare(
      "INSERT INTO pace_holds (bucket, until) VALUES (?, ?) ON CONFLICT (bucket) DO UPDATE SET until = MAX(until, excluded.until)",
    ),
    inherit: db.prepare(
      "INSERT INTO pace (bucket, at, expires) SELECT @bucket, at, expires FROM pace WHERE bucket = @from AND NOT EXISTS (SELECT 1 FROM pace WHERE bucket = @bucket)",
    ),
    paceCalls: db.prepare("SELECT bucket, COUNT(*) AS calls FROM pace WHERE at > ? GROUP BY bucket"),
    holdsNow: db.prepare("SELECT bucket, until FROM pace_holds WHERE until > ?"),
    hitNth: db.prepare("SELECT at FROM hits WHERE key = ? AND at > ? ORDER BY at DESC LIMIT 1 OFFSET ?").pluck(),
    hitAdd: db.prepare("INSERT OR REPLACE INTO hits (key, token, at, expires) VALUES (?, ?, ?, ?)"),
    hitRemove: db.prepare("DELETE FROM hits WHERE key = ? AND token = ?"),
    flagSet: db.prepare("INSERT OR REPLACE INTO flags (name, expires) VALUES (?, ?)"),
    flagGet: db.prepare("SELECT 1 FROM flags WHERE name = ? AND expires > ?").pluck(),
    clientGet: db.prepare(
      "SELECT account_id, user_agent, first_seen, last_seen, counts FROM clients WHERE account_id = ? AND user_agent = ?",
    ),
    clientCount: db.prepare("SELECT COUNT(*) FROM clients").pluck(),
    clientPut: db.prepare(
      "INSERT OR REPLACE INTO clients (account_id, user_agent, first_seen, last_seen, counts) VALUES (@account_id, @user_agent, @first_seen, @last_seen, @counts)",
    ),
    clientsAll: db.prepare("SELECT account_id, user_agent, first_seen, last_seen, counts FROM clients"),
    since: db.prepare("SELECT value FROM meta WHERE name = 'clients_since'").pluck(),
    metaGet: db.prepare("SELECT value FROM meta WHERE name = ?").pluck(),
    metaAdd: db.prepare("INSERT OR IGNORE INTO meta (name, value) VALUES (?, ?)"),
    metaSet: db.prepare("INSERT OR REPLACE INTO meta (name, value) VALUES (?, ?)"),
    hourHas: db.prepare("SELECT 1 FROM hour_counts WHERE hour = ? AND series = ?").pluck(),
    hourSize: db.prepare("SELECT COUNT(*) FROM hour_counts WHERE hour = ?").pluck(),
    hourAdd: db.prepare(
      "INSERT INTO hour_counts (hour, series, count) VALUES (?, ?, ?) ON CONFLICT (hour, series) DO UPDATE SET count = count + excluded.count",
    ),
    hoursSince: db.prepare("SELECT hour, series, count FROM hour_counts WHERE hour >= ?"),
    forgetHours: db.prepare("DELETE FROM hour_counts WHERE hour < ?"),
    get: db.prepare(`SELECT ${COLUMNS} FROM placements WHERE alternative_order_id = ?`),
    newestLive: db.prepare(
      `SELECT ${COLUMNS} FROM placements WHERE fingerprint = ? AND created_at >= ? AND state NOT IN ('refused', 'failed') ORDER BY created_at DESC LIMIT 1`,
    ),
    insert: db.prepare(`INSERT INTO placements (${COLUMNS}) VALUES (${COLUMNS.replace(/(\w+)/g, "@$1")})`),
    reopen: db.prepare(
      "UPDATE placements SET state = @state, req_id = @req_id, v2_order_id = NULL, v2_status = NULL, owner = @owner, lease_until = @lease_until, updated_at = @updated_at WHERE alternative_order_id = @alternative_order_id",
    ),
    settle: db.prepare(
      "UPDATE placements SET state = @state, v2_order_id = @v2_order_id, v2_status = @v2_status, lease_until = NULL, updated_at = @updated_at WHERE alternative_order_id = @id",
    ),
    claim: db.prepare(
      "UPDATE placements SET state = @state, owner = @owner, lease_until = @lease_until, updated_at = @updated_at WHERE alternative_order_id = @id",
    ),
    count: db.prepare("SELECT COUNT(*) FROM placements WHERE state = ?").pluck(),
    abandon: db.prepare(
      "UPDATE placements SET state = @state, lease_until = NULL, v2_status = @v2_status, updated_at = @updated_at WHERE state = 'placing' AND lease_until < @updated_at",
    ),
    forgetPlacements: db.prepare("DELETE FROM placements WHERE created_at < ?"),
    forgetClients: db.prepare("DELETE FROM clients WHERE last_seen < ?"),
    forgetPace: db.prepare("DELETE FROM pace WHERE expires < ?"),
    forgetHolds: db.prepare("DELETE FROM pace_holds WHERE until < ?"),
    forgetHits: db.prepare("DELETE FROM hits WHERE expires < ?"),
    forgetFlags: db.prepare("DELETE FROM flags WHERE expires < ?"),
  };
}

/** Which file a path names now (device and inode), undefined when there is none: a file deleted or replaced under the shim shows here. */
function fileAt(path: string): string | undefined {
  try {
    const { dev, ino } = statSync(path);
    return `${dev}:${ino}`;
  } catch {
    return undefined;
  }
}

/** A failure that is one write's own (a broken rule), not the file's (locked, full, read-only, gone): only those are worth doing alone. */
const isOneWritesOwn = (error: unknown): boolean => sqliteFailure(error) !== "other";

/**
 * One replica's state in a file on local disk, surviving restarts (node:sqlite, through sqlite-driver.ts).
 * Write-ahead log with synchronous=NORMAL: a committed write is in the log before
 * the call returns, so it survives the process being killed (kill -9, OOM);
 * only a crash of the machine itself may lose the last writes. FULL would fsync
 * on every commit, and node:sqlite runs on the event loop: every order would
 * wait for the disk. See docs/operations.md, "Running several replicas".
 *
 * A file deleted or replaced while the shim runs would go on being written where
 * nobody reads it again: `ping` (asked every second) says so, as the store being
 * down, and opens the path anew, making the file again when it is gone.
 */
export class SqliteStore implements StateStore {
  readonly backend = "sqlite";
  #db!: Database;
  #q!: ReturnType<typeof statementsOf>;
  /** The file opened, and its write-ahead log: which a path names now tells whether it is still what this store writes. */
  #file: { db: string | undefined; wal: string | undefined } | undefined;
  readonly #batch: Write[] = [];
  #beats!: ReturnType<typeof beatStatements>;

  constructor(
    private readonly path: string,
    private readonly now: () => number = Date.now,
  ) {
    this.#open();
  }

  #open(): void {
    const { path } = this;
    if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
    const db = openDatabase(path);
    try {
      db.pragma("journal_mode = WAL");
      db.pragma("synchronous = NORMAL");
      // Each write-back of the log into the file waits for the disk, on the event loop: a tenth as many
      // cost an order about 6 µs less (measured, docs/performance-history.md); the log stays under 64 MB.
      db.pragma("wal_autocheckpoint = 10000");
      db.pragma(`journal_size_limit = ${64 * 2 ** 20}`);
      db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
      db.transaction(() => {
        db.exec(SCHEMA);
        if (db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'in_flight'").get()) db.exec(MERGE_IN_FLIGHT);
      }).immediate();
      db.prepare("INSERT OR IGNORE INTO meta (name, value) VALUES ('clients_since', ?)").run(String(this.now()));
      db.exec(REPLICAS_SCHEMA);
    } catch (error) {
      db.close();
      throw error;
    }
    this.#db = db;
    this.#q = statementsOf(db);
    this.#beats = beatStatements(db);
    this.#file = path === ":memory:" ? undefined : { db: fileAt(path), wal: fileAt(`${path}-wal`) };
  }

  /**
   * Group commit: the writes asked for in one turn of the event loop go to disk in
   * one transaction. Each write's promise resolves once that transaction has
   * committed: a ledger record is in the log before its order is sent, and under
   * load many orders share one commit. Should one write break a rule, the batch is
   * rolled back and each write is done again alone, so that it fails alone (a
   * savepoint per write would cost every write a third more); a file that cannot be
   * written fails them all at once, each alone would wait for its lock again.
   */
  #write<T>(work: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      // Once the turn's callbacks have run: every write they asked for shares the commit, and none waits longer.
      if (this.#batch.length === 0) setImmediate(() => this.#commit());
      this.#batch.push({ work, resolve: resolve as (value: unknown) => void, reject });
    });
  }

  #commit(): void {
    const batch = this.#batch.splice(0);
    if (batch.length === 0) return;
    let values: unknown[];
    try {
      values = this.#db.transaction(() => batch.map(({ work }) => work())).immediate();
    } catch (error) {
      if (batch.length === 1 || !isOneWritesOwn(error)) for (const write of batch) write.reject(error);
      else for (const write of batch) this.#alone(write);
      return;
    }
    for (const [i, { resolve }] of batch.entries()) resolve(values[i]);
  }

  #alone({ work, resolve, reject }: Write): void {
    try {
      resolve(this.#db.transaction(work).immediate());
    } catch (error) {
      reject(error);
    }
  }

  async reserve(bucket: string, windows: readonly RateWindow[], maxWaitMs: number) {
    const q = this.#q;
    const now = this.now();
    const longest = Math.max(...windows.map((w) => w.windowMs));
    return this.#write(() => {
      q.paceDrop.run(bucket, now - longest);
      let at = Math.max(now, (q.paceLast.get(bucket) as number | null) ?? now, (q.holdGet.get(bucket) as number | undefined) ?? now);
      for (const { limit, windowMs } of windows) {
        // The limit-th newest time, if it lies within the window: the window is full until it leaves.
        const nth = q.paceNth.get(bucket, now - windowMs, limit - 1) as number | undefined;
        if (nth !== undefined) at = Math.max(at, nth + windowMs);
      }
      const waitMs = at - now;
      if (waitMs > maxWaitMs) return { admitted: false, waitMs };
      q.paceAdd.run(bucket, at, at + longest);
      return { admitted: true, waitMs };
    });
  }

  async holdBack(bucket: string, ms: number) {
    const until = this.now() + ms;
    await this.#write(() => this.#q.holdSet.run(bucket, until));
  }

  async inheritPace(bucket: string, from: string) {
    await this.#write(() => this.#q.inherit.run({ bucket, from }));
  }

  #check(scopes: readonly HitScope[], windowMs: number, now: number): HitCheck {
    let wait = 0;
    for (const { key, limit } of scopes) {
      const nth = this.#q.hitNth.get(key, now - windowMs, limit - 1) as number | undefined;
      if (nth !== undefined) wait = Math.max(wait, nth + windowMs - now, 1);
    }
    return wait > 0 ? { admitted: false, retryAfterMs: wait } : { admitted: true };
  }

  async paceLoad(windowMs: number, max: number) {
    const now = this.now();
    const loads = new Map<string, PaceLoad>();
    for (const { bucket, calls } of this.#q.paceCalls.all(now - windowMs) as { bucket: string; calls: number }[]) {
      loads.set(bucket, { bucket, calls, heldUntil: null });
    }
    for (const { bucket, until } of this.#q.holdsNow.all(now) as { bucket: string; until: number }[]) {
      loads.set(bucket, { bucket, calls: loads.get(bucket)?.calls ?? 0, heldUntil: until });
    }
    return busiest([...loads.values()], max);
  }

  async hitCheck(scopes: readonly HitScope[], windowMs: number) {
    return this.#check(scopes, windowMs, this.now());
  }

  async hitAdmit(scopes: readonly HitScope[], windowMs: number, token: string) {
    const now = this.now();
    return this.#write(() => {
      const check = this.#check(scopes, windowMs, now);
      if (check.admitted) for (const { key } of scopes) this.#q.hitAdd.run(key, token, now, now + windowMs);
      return check;
    });
  }

  async hitAdd(keys: readonly string[], windowMs: number, token: string) {
    const now = this.now();
    await this.#write(() => {
      for (const key of keys) this.#q.hitAdd.run(key, token, now, now + windowMs);
    });
  }

  async hitRemove(keys: readonly string[], token: string) {
    await this.#write(() => {
      for (const key of keys) this.#q.hitRemove.run(key, token);
    });
  }

  async setFlag(name: string, ttlMs: number) {
    const expires = this.now() + ttlMs;
    await this.#write(() => this.#q.flagSet.run(name, expires));
  }

  async hasFlag(name: string) {
    return this.#q.flagGet.get(name, this.now()) !== undefined;
  }

  async mergeClients(deltas: readonly ClientCounts[], { maxClients, othersKey }: ClientsLimits) {
    const q = this.#q;
    await this.#write(() => {
      let size = q.clientCount.get() as number;
      for (const delta of deltas) {
        let found = readClient(q.clientGet.get(delta.account_id, delta.user_agent));
        let entry = delta;
        if (!found && size >= maxClients) {
          entry = { ...delta, account_id: othersKey, user_agent: othersKey };
          found = readClient(q.clientGet.get(othersKey, othersKey));
        }
        if (!found) size++;
        const merged = found ? mergeCounts(found, entry) : entry;
        q.clientPut.run({ ...merged, counts: JSON.stringify(merged.counts) });
      }
    });
  }

  async clients() {
    const rows = this.#q.clientsAll.all().map(readClient);
    return { since: Number(this.#q.since.get()), clients: rows.filter((c): c is ClientCounts => c !== undefined) };
  }

  async addHourCounts(counts: readonly HourCount[], { maxSeriesPerHour, othersSeries }: HourLimits) {
    const q = this.#q;
    await this.#write(() => {
      for (const { hour, series, count } of counts) {
        const kept = q.hourHas.get(hour, series) !== undefined || (q.hourSize.get(hour) as number) < maxSeriesPerHour;
        q.hourAdd.run(hour, kept ? series : othersSeries, count);
      }
    });
  }

  async hourCounts(since: number) {
    return this.#q.hoursSince.all(since) as HourCount[];
  }

  async admitPlacement(placement: Placement, windowSince: number | null): Promise<Admission> {
    const row = toRow(placement);
    return this.#write(() => {
      const q = this.#q;
      const sameId = q.get.get(placement.alternative_order_id) as Row | undefined;
      const inWindow =
        windowSince === null || placement.fingerprint === null
          ? undefined
          : (q.newestLive.get(placement.fingerprint, windowSince) as Row | undefined);
      const step = admissionStep(placement, sameId && fromRow(sameId), inWindow && fromRow(inWindow));
      if (step.kind === "earlier") return { admitted: false, earlier: step.placement };
      if (step.kind === "reopen") q.reopen.run(toRow({ ...placement, ...reopened(placement) }));
      else q.insert.run(row);
      return { admitted: true };
    });
  }

  async getPlacement(alternativeOrderId: string) {
    const row = this.#q.get.get(alternativeOrderId) as Row | undefined;
    return row && fromRow(row);
  }

  async settlePlacements(outcomes: readonly PlacementOutcome[]) {
    const rows = outcomes.map((outcome) => {
      const fields = settled(outcome);
      return {
        ...fields,
        v2_status: fields.v2_status === null ? null : JSON.stringify(fields.v2_status),
        id: outcome.alternative_order_id,
      };
    });
    await this.#write(() => {
      for (const row of rows) this.#q.settle.run(row);
    });
  }

  async listPlacements({ state, account_id, limit, cursor }: PlacementFilter): Promise<PlacementPage> {
    const params: Record<string, string | number> = { limit: limit + 1 };
    const equal = { state, account_id };
    const where = Object.entries(equal).flatMap(([column, value]) => {
      if (!value) return [];
      params[column] = value;
      return [`${column} = @${column}`];
    });
    if (cursor) {
      where.push("(created_at < @at OR (created_at = @at AND alternative_order_id < @id))");
      Object.assign(params, { at: cursor.created_at, id: cursor.alternative_order_id });
    }
    const filter = where.length ? `WHERE ${where.join(" AND ")}` : "";
    const sql = `SELECT ${COLUMNS} FROM placements ${filter} ORDER BY created_at DESC, alternative_order_id DESC LIMIT @limit`;
    const rows = (this.#db.prepare(sql).all(params) as Row[]).map(fromRow);
    const placements = rows.slice(0, limit);
    return { placements, next: rows.length > limit ? placements.at(-1)! : null };
  }

  async countPlacements(state: PlacementState) {
    return this.#q.count.get(state) as number;
  }

  async claimPlacement(alternativeOrderId: string, claim: Claim): Promise<ClaimResult> {
    return this.#write(() => {
      const row = this.#q.get.get(alternativeOrderId) as Row | undefined;
      const placement = row && fromRow(row);
      if (!placement || !claimable(placement, claim.owner, claim.now)) return { claimed: false, placement };
      const fields = claimed(claim);
      this.#q.claim.run({ ...fields, id: alternativeOrderId });
      return { claimed: true, placement: { ...placement, ...fields } };
    });
  }

  async sharedSecret(name: string, candidate: string) {
    return this.#write(() => {
      this.#q.metaAdd.run(`secret:${name}`, candidate);
      return this.#q.metaGet.get(`secret:${name}`) as string;
    });
  }

  async sweep({ now, ledgerRetentionMs, clientsRetentionMs }: SweepLimits) {
    const q = this.#q;
    await this.#write(() => {
      const { state, v2_status } = abandoned(now);
      q.abandon.run({ state, updated_at: now, v2_status: JSON.stringify(v2_status) });
      q.forgetPlacements.run(now - ledgerRetentionMs);
      q.forgetClients.run(now - clientsRetentionMs);
      q.forgetHours.run(now - clientsRetentionMs);
      for (const forget of [q.forgetPace, q.forgetHolds, q.forgetHits, q.forgetFlags]) forget.run(now);
    });
  }

  async beat(beat: ReplicaBeat, forgetBefore: number) {
    await this.#write(() => {
      this.#beats.put.run(beat);
      this.#beats.forget.run(forgetBefore);
    });
  }

  async replicas(since: number) {
    return this.#beats.since.all(since) as ReplicaBeat[];
  }

  /** Throws when the file cannot be written now, or is not the one opened (deleted, replaced); then opens the path anew. */
  async ping() {
    const { path } = this;
    if (this.#file && fileAt(path) !== this.#file.db) {
      const gone = fileAt(path) === undefined;
      this.#db.close();
      // The log beside the path is still this store's, not the new file's: opened with it, SQLite would replay it into that file.
      if (fileAt(`${path}-wal`) === this.#file.wal) for (const log of ["-wal", "-shm"]) rmSync(path + log, { force: true });
      this.#open();
      throw new Error(gone ? "the SQLite file was deleted; it is made anew, empty" : "the SQLite file was replaced; the new one is opened");
    }
    this.#q.metaSet.run("alive", String(this.now()));
  }

  async close() {
    this.#commit();
    this.#db.close();
  }
}

function readClient(row: unknown): ClientCounts | undefined {
  if (!row) return undefined;
  const { counts, ...rest } = row as Omit<ClientCounts, "counts"> & { counts: string };
  return { ...rest, counts: JSON.parse(counts) as Record<string, number> };
}
