import type { SQLInputValue, StatementSync } from "node:sqlite";

// The SQLite driver, in one place: Node's built-in node:sqlite (Node 22.5 and later),
// behind the few calls of better-sqlite3's shape that sqlite.ts makes, so that the
// store reads as it did and a driver change touches this file alone.
// Why node:sqlite and not better-sqlite3: the order path costs the same or less
// (docs/performance-history.md, "Node 24, and SQLite on node:sqlite"), and there is no
// native addon to fetch or compile at install.

type Params = SQLInputValue[] | [Record<string, SQLInputValue>];

/** A prepared statement, as better-sqlite3 offers one. */
export interface Statement {
  run(...params: Params): { changes: number | bigint };
  get(...params: Params): unknown;
  all(...params: Params): unknown[];
  /** The same statement, answering each row's first column alone. */
  pluck(): Plucked;
}

interface Plucked {
  get(...params: Params): unknown;
}

export interface Database {
  exec(sql: string): void;
  prepare(sql: string): Statement;
  /** `PRAGMA text`, as better-sqlite3's `pragma()`. */
  pragma(text: string): void;
  /** `work` in one BEGIN IMMEDIATE transaction: committed when it returns, rolled back when it throws. */
  transaction<T>(work: () => T): { immediate(): T };
  close(): void;
}

function statement(prepared: StatementSync): Statement {
  // Rows carry more fields than a statement names (a placement's row, a client's), as better-sqlite3 allows.
  prepared.setAllowUnknownNamedParameters(true);
  return {
    run: (...params) => prepared.run(...(params as SQLInputValue[])),
    get: (...params) => prepared.get(...(params as SQLInputValue[])),
    all: (...params) => prepared.all(...(params as SQLInputValue[])),
    pluck() {
      prepared.setReturnArrays(true);
      return { get: (...params) => (prepared.get(...(params as SQLInputValue[])) as unknown[] | undefined)?.[0] };
    },
  };
}

/**
 * What kind of failure `error` is, as better-sqlite3's SqliteError codes told it: a broken constraint
 * (one write's own), another failure of SQLite (the file's: locked, full, read-only, gone), or
 * undefined for an error that is not SQLite's.
 */
export function sqliteFailure(error: unknown): "constraint" | "other" | undefined {
  if (!(error instanceof Error) || (error as { code?: unknown }).code !== "ERR_SQLITE_ERROR") return undefined;
  // The extended result code's low byte is the primary code; 19 is SQLITE_CONSTRAINT.
  return ((error as { errcode?: number }).errcode ?? 0) % 256 === 19 ? "constraint" : "other";
}

/** Opens (creating it if need be) the SQLite file at `path`, or `:memory:`. */
export function openDatabase(path: string): Database {
  // Looked up when a file is opened, not imported: a Node without node:sqlite fails here, after the
  // start's own check of the Node version has said what to do, rather than before any line runs.
  const { DatabaseSync } = process.getBuiltinModule("node:sqlite");
  const db = new DatabaseSync(path);
  return {
    exec: (sql) => db.exec(sql),
    prepare: (sql) => statement(db.prepare(sql)),
    pragma: (text) => db.exec(`PRAGMA ${text}`),
    transaction: (work) => ({
      immediate() {
        db.exec("BEGIN IMMEDIATE");
        try {
          const value = work();
          db.exec("COMMIT");
          return value;
        } catch (error) {
          if (db.isTransaction) db.exec("ROLLBACK");
          throw error;
        }
      },
    }),
    // Closing twice is nothing, as in better-sqlite3 (a store closed by its test, then by the teardown).
    close: () => {
      if (db.isOpen) db.close();
    },
  };
}
