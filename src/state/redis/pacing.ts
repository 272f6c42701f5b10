import type { RateWindow } from "../../lib/rate-window.js";
import { busiest } from "../sliding-log.js";
import type { PaceLoad, Pacing } from "../store.js";
import { NOW, type ScriptedRedis } from "./scripts.js";

// Pacing: a bucket's log is a sorted set of reserved times (pace:<bucket>), its hold a number (hold:<bucket>).

export const pacingScripts = {
  /**
   * sliding-log.ts's earliestSlot, in Lua: the latest of now, the last time
   * reserved, the hold, and for each full window the time its limit-th newest
   * call leaves it. KEYS: log, hold. ARGV: maxWaitMs, member, then limit and window of each window.
   */
  shimReserve: {
    numberOfKeys: 2,
    lua: `${NOW}
local longest = 0
for i = 3, #ARGV, 2 do longest = math.max(longest, tonumber(ARGV[i + 1])) end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - longest)
local at = now
local last = redis.call('ZREVRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if last[2] then at = math.max(at, tonumber(last[2])) end
local hold = redis.call('GET', KEYS[2])
if hold then at = math.max(at, tonumber(hold)) end
for i = 3, #ARGV, 2 do
  local limit, w = tonumber(ARGV[i]), tonumber(ARGV[i + 1])
  local nth = redis.call('ZREVRANGEBYSCORE', KEYS[1], '+inf', '(' .. (now - w), 'WITHSCORES', 'LIMIT', limit - 1, 1)
  if nth[2] then at = math.max(at, tonumber(nth[2]) + w) end
end
local wait = at - now
if wait > tonumber(ARGV[1]) then return {0, tostring(wait)} end
redis.call('ZADD', KEYS[1], at, ARGV[2])
redis.call('PEXPIRE', KEYS[1], math.ceil(wait + longest))
return {1, tostring(wait)}`,
  },
  /** KEYS: hold. ARGV: ms. */
  shimHold: {
    numberOfKeys: 1,
    lua: `${NOW}
local untilMs = now + tonumber(ARGV[1])
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
if untilMs > current then redis.call('SET', KEYS[1], tostring(untilMs), 'PX', ARGV[1]) end`,
  },
  /** KEYS: the bucket's log, the source's log. */
  shimInherit: {
    numberOfKeys: 2,
    lua: `
if redis.call('EXISTS', KEYS[1]) == 1 or redis.call('EXISTS', KEYS[2]) == 0 then return 0 end
redis.call('ZUNIONSTORE', KEYS[1], 1, KEYS[2])
redis.call('PEXPIRE', KEYS[1], redis.call('PTTL', KEYS[2]))
return 1`,
  },
};

export function redisPacing(redis: ScriptedRedis<typeof pacingScripts>, prefix: string): Pacing {
  const log = (bucket: string) => `${prefix}pace:${bucket}`;
  const hold = (bucket: string) => `${prefix}hold:${bucket}`;
  // A member of a log that no other call, in this process or another, uses.
  const member = `${process.pid}.${Math.random().toString(36).slice(2, 10)}`;
  let sequence = 0;

  return {
    async reserve(bucket: string, windows: readonly RateWindow[], maxWaitMs: number) {
      const args = [Math.floor(maxWaitMs), `${member}.${++sequence}`, ...windows.flatMap((w) => [w.limit, w.windowMs])];
      const [admitted, wait] = (await redis.shimReserve(log(bucket), hold(bucket), ...args)) as [number, string];
      return { admitted: admitted === 1, waitMs: Number(wait) };
    },

    async holdBack(bucket: string, ms: number) {
      await redis.shimHold(hold(bucket), Math.max(1, Math.ceil(ms)));
    },

    async inheritPace(bucket: string, from: string) {
      await redis.shimInherit(log(bucket), log(from));
    },

    async paceLoad(windowMs: number, max: number) {
      const [seconds, micros] = await redis.time();
      const now = Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
      const loads = new Map<string, PaceLoad>();
      const load = (bucket: string) => loads.get(bucket) ?? { bucket, calls: 0, heldUntil: null };
      // Buckets are found by name, a bounded scan: the dashboard asks this, never an order.
      for (const [kind, pattern] of [
        ["pace", log("*")],
        ["hold", hold("*")],
      ] as const) {
        let cursor = "0";
        let seen = 0;
        do {
          const [next, keys] = await redis.scan(cursor, "MATCH", pattern, "COUNT", 200);
          cursor = next;
          seen += keys.length;
          for (const key of keys) {
            const bucket = key.slice(`${prefix}${kind}:`.length);
            if (kind === "pace") loads.set(bucket, { ...load(bucket), calls: await redis.zcount(key, `(${now - windowMs}`, "+inf") });
            else {
              const until = Number(await redis.get(key));
              if (until > now) loads.set(bucket, { ...load(bucket), heldUntil: until });
            }
          }
        } while (cursor !== "0" && seen < 10_000);
      }
      return busiest([...loads.values()], max);
    },
  };
}
