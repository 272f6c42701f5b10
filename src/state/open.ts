import { MemoryStore } from "./memory.js";
import { type ResilientStore, resilientStore } from "./resilient.js";
import { SqliteStore } from "./sqlite.js";
import type { StateStore, SweepLimits } from "./store.js";

/** SHIM_STATE, as the configuration reads it. */
type StateSpec = { backend: "memory" } | { backend: "sqlite"; path: string } | { backend: "redis"; url: string };

/** The store SHIM_STATE names cannot be used at all (a SQLite file that cannot be opened): the start stops. */
export class StateOpenError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "StateOpenError";
  }
}

interface OpenOptions {
  required: boolean;
  ledgerRetentionMs: number;
  onDown(error: unknown, operation: string): void;
  onUp(): void;
}

/**
 * The store SHIM_STATE names, behind the soft failure of ResilientStore. A
 * SQLite file that cannot be opened throws (the setting is wrong); a Redis that
 * cannot be reached now is reported through `onDown`, and the shim starts
 * without it and uses it once it answers.
 */
export async function openState(spec: StateSpec, options: OpenOptions): Promise<ResilientStore> {
  let primary: StateStore;
  let upAtStart = true;
  if (spec.backend === "memory") primary = new MemoryStore();
  else if (spec.backend === "sqlite") {
    try {
      primary = new SqliteStore(spec.path);
    } catch (error) {
      throw new StateOpenError(
        `SHIM_STATE: cannot open the SQLite file ${spec.path}: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  } else {
    // Loaded only when asked for: the other backends' start does not pay for ioredis.
    const { redisStore } = await import("./redis/store.js");
    const redis = redisStore({ url: spec.url, ledgerRetentionMs: options.ledgerRetentionMs });
    primary = redis;
    try {
      await redis.connect();
    } catch (error) {
      upAtStart = false;
      options.onDown(error, "connect");
    }
  }
  return resilientStore(primary, { required: options.required, upAtStart, onDown: options.onDown, onUp: options.onUp });
}

/** Where the store is, for the log: a Redis URL without its credentials. */
export function describeState(spec: StateSpec): string {
  if (spec.backend !== "redis") return spec.backend === "sqlite" ? `sqlite:${spec.path}` : "memory";
  const url = new URL(spec.url);
  return `${url.protocol}//${url.host}${url.pathname === "/" ? "" : url.pathname}`;
}

/** Runs the store's sweep now and every `everyMs`; failures wait for the next round. */
export function sweepEvery(store: StateStore, everyMs: number, limits: () => SweepLimits): () => void {
  const sweep = () => void store.sweep(limits()).catch(() => undefined);
  sweep();
  const timer = setInterval(sweep, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
