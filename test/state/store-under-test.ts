// What a role's contract is run against: a backend that opens fresh stores of that role.
// keyv's test suite is the model (@keyv/test-suite): one function per concern, each
// run against every adapter; test/state.contract.test.ts runs each role's against
// memory, SQLite and a real Redis.

export interface StoreUnderTest<S> {
  name: string;
  /** `n` handles on one fresh store, as several replicas would have (one file, one Redis); the memory backend has only one to share. */
  open(n?: number): Promise<S[]>;
  /** A new handle on what `open` made last, as after a restart; undefined for memory. */
  reopen?(): Promise<S>;
  persists: boolean;
}

export const DAY = 86_400_000;
/** A window short enough to wait out, long enough that the calls just after its start fall in it on a busy machine. */
export const SHORT_MS = 500;
