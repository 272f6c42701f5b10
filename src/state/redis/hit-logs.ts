import type { HitCheck, HitLogs, HitScope } from "../store.js";
import { NOW, type ScriptedRedis } from "./scripts.js";

// Hit logs: each a sorted set of tokens by time (hits:<key>).

export const hitLogScripts = {
  /**
   * sliding-log.ts's checkLog and combineChecks, in Lua: a log with its limit
   * inside the window is full until its limit-th newest entry leaves it; the
   * longest wait of the full ones is the answer. KEYS: the logs (their number
   * first). ARGV: windowMs, mode (check, admit, add), token, then each log's limit.
   */
  shimHits: {
    lua: `${NOW}
local w = tonumber(ARGV[1])
local wait = 0
if ARGV[2] ~= 'add' then
  for i, key in ipairs(KEYS) do
    local nth = redis.call('ZREVRANGEBYSCORE', key, '+inf', '(' .. (now - w), 'WITHSCORES', 'LIMIT', tonumber(ARGV[3 + i]) - 1, 1)
    if nth[2] then wait = math.max(wait, tonumber(nth[2]) + w - now, 1) end
  end
end
if wait > 0 or ARGV[2] == 'check' then return tostring(wait) end
for _, key in ipairs(KEYS) do
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now - w)
  redis.call('ZADD', key, now, ARGV[3])
  redis.call('PEXPIRE', key, w)
end
return '0'`,
  },
};

export function redisHitLogs(redis: ScriptedRedis<typeof hitLogScripts>, prefix: string): HitLogs {
  const log = (key: string) => `${prefix}hits:${key}`;
  const hits = async (
    mode: "check" | "admit" | "add",
    keys: readonly string[],
    limits: readonly number[],
    windowMs: number,
    token: string,
  ) => {
    const wait = Number(await redis.shimHits(keys.length, ...keys.map(log), windowMs, mode, token, ...limits));
    return wait > 0 ? ({ admitted: false, retryAfterMs: wait } as const) : ({ admitted: true } as const);
  };
  const keysOf = (scopes: readonly HitScope[]) => scopes.map((s) => s.key);
  const limitsOf = (scopes: readonly HitScope[]) => scopes.map((s) => s.limit);

  return {
    hitCheck: (scopes: readonly HitScope[], windowMs: number): Promise<HitCheck> =>
      hits("check", keysOf(scopes), limitsOf(scopes), windowMs, ""),

    hitAdmit: (scopes: readonly HitScope[], windowMs: number, token: string): Promise<HitCheck> =>
      hits("admit", keysOf(scopes), limitsOf(scopes), windowMs, token),

    async hitAdd(keys: readonly string[], windowMs: number, token: string) {
      await hits("add", keys, [], windowMs, token);
    },

    async hitRemove(keys: readonly string[], token: string) {
      const multi = redis.multi();
      for (const key of keys) multi.zrem(log(key), token);
      await multi.exec();
    },
  };
}
