import type { Redis } from "ioredis";
import type { Flags } from "../store.js";

// Flags: a key each (flag:<name>), lapsing with Redis's own expiry: no script, no rule to restate.

export function redisFlags(redis: Redis, prefix: string): Flags {
  const flag = (name: string) => `${prefix}flag:${name}`;
  return {
    async setFlag(name: string, ttlMs: number) {
      await redis.set(flag(name), "1", "PX", Math.max(1, Math.ceil(ttlMs)));
    },
    async hasFlag(name: string) {
      return (await redis.exists(flag(name))) === 1;
    },
  };
}
