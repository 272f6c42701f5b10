import type { Redis } from "ioredis";

// Every update that reads before it writes is one Lua script, which Redis runs
// alone: two replicas racing never double-count or over-admit. Each role's scripts
// sit beside it (pacing.ts, hit-logs.ts, clients-view.ts, ledger.ts, replicas.ts),
// each saying which JavaScript rule it restates, since a script cannot call one.
// Not for Redis Cluster: scripts touch keys they build themselves.

/**
 * A Lua script, registered with ioredis's defineCommand as a command of its name:
 * ioredis sends it whole the first time a connection runs it, by its digest
 * (EVALSHA) after that, and whole again should Redis have forgotten it (NOSCRIPT).
 * Without `numberOfKeys`, the caller passes the number of keys first.
 */
export interface LuaScript {
  lua: string;
  numberOfKeys?: number;
}

/** A client on which `scripts` are defined, each a command of its name. */
export type ScriptedRedis<S> = Redis & { [K in keyof S]: (...args: (string | number)[]) => Promise<unknown> };

/** Registers each of `scripts` with `redis` as a command of its name. */
export function defineScripts<S extends Record<string, LuaScript>>(redis: Redis, scripts: S): ScriptedRedis<S> {
  for (const [name, script] of Object.entries(scripts)) redis.defineCommand(name, script);
  return redis as ScriptedRedis<S>;
}

/**
 * Lua: `now`, in epoch ms, from Redis's own clock. Times that replicas compare
 * (pacing, failed logins) are Redis's, so the replicas' clocks need not agree.
 */
export const NOW = "local t = redis.call('TIME') local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)";
