import type { Redis } from "ioredis";
import type { ClientCounts, ClientsLimits, ClientsView, HourCount, HourLimits } from "../store.js";
import type { ScriptedRedis } from "./scripts.js";

// The clients view: each caller a hash (clients:e:<digest of account and agent>) with
// counts as c:<name> fields, indexed by last seen (clients:index); each hour a hash of
// series (hours:h:<hour>), indexed by hour (hours:index); when counting began (clients:since).

export const clientsViewScripts = {
  /**
   * clients-rules.ts's mergeCounts, in Lua, with the bound memory.ts and sqlite.ts
   * keep in mergeClients: a new pair once `maxClients` are kept is counted under the
   * others. KEYS: the clients' index. ARGV: deltas as JSON, maxClients, othersKey, the
   * entries' key prefix.
   */
  shimMergeClients: {
    numberOfKeys: 1,
    lua: `
local max, others, prefix = tonumber(ARGV[2]), ARGV[3], ARGV[4]
for _, d in ipairs(cjson.decode(ARGV[1])) do
  local id = redis.sha1hex(d.account_id .. '\\0' .. d.user_agent)
  if redis.call('EXISTS', prefix .. id) == 0 and redis.call('ZCARD', KEYS[1]) >= max then
    d.account_id, d.user_agent = others, others
    id = redis.sha1hex(others .. '\\0' .. others)
  end
  local key = prefix .. id
  redis.call('HSETNX', key, 'account_id', d.account_id)
  redis.call('HSETNX', key, 'user_agent', d.user_agent)
  local first = tonumber(redis.call('HGET', key, 'first_seen') or '0')
  if first == 0 or d.first_seen < first then redis.call('HSET', key, 'first_seen', tostring(d.first_seen)) end
  local last = tonumber(redis.call('HGET', key, 'last_seen') or '0')
  if d.last_seen > last then last = d.last_seen redis.call('HSET', key, 'last_seen', tostring(last)) end
  for name, n in pairs(d.counts) do redis.call('HINCRBY', key, 'c:' .. name, n) end
  redis.call('ZADD', KEYS[1], last, id)
end`,
  },
  /**
   * The bound memory.ts and sqlite.ts keep in addHourCounts, in Lua: a new series once
   * `maxSeriesPerHour` are kept in its hour is counted under the others. No TTL: the
   * sweep forgets an hour with the clients view's retention, as it forgets callers.
   * KEYS: the hours' index. ARGV: counts as JSON, maxSeriesPerHour, othersSeries, the hours' key prefix.
   */
  shimAddHours: {
    numberOfKeys: 1,
    lua: `
local max, others, prefix = tonumber(ARGV[2]), ARGV[3], ARGV[4]
for _, c in ipairs(cjson.decode(ARGV[1])) do
  local hour = string.format('%d', c.hour)
  local key = prefix .. hour
  local series = c.series
  if redis.call('HEXISTS', key, series) == 0 and redis.call('HLEN', key) >= max then series = others end
  redis.call('HINCRBY', key, series, c.count)
  redis.call('ZADD', KEYS[1], c.hour, hour)
end`,
  },
  /**
   * Forgets callers last seen, and hours, before the cutoff, a bounded number a round.
   * KEYS: the clients' index, the hours' index. ARGV: the cutoff, the entries' key prefix, the hours' key prefix.
   */
  shimSweepClients: {
    numberOfKeys: 2,
    lua: `
for _, id in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', '(' .. ARGV[1], 'LIMIT', 0, 500)) do
  redis.call('DEL', ARGV[2] .. id)
  redis.call('ZREM', KEYS[1], id)
end
for _, hour in ipairs(redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', '(' .. ARGV[1], 'LIMIT', 0, 500)) do
  redis.call('DEL', ARGV[3] .. hour)
  redis.call('ZREM', KEYS[2], hour)
end`,
  },
};

const keysOf = (prefix: string) => ({
  since: `${prefix}clients:since`,
  clients: `${prefix}clients:index`,
  client: `${prefix}clients:e:`,
  hours: `${prefix}hours:index`,
  hour: `${prefix}hours:h:`,
});

export function redisClientsView(redis: ScriptedRedis<typeof clientsViewScripts>, prefix: string): ClientsView {
  const keys = keysOf(prefix);
  return {
    async mergeClients(deltas: readonly ClientCounts[], { maxClients, othersKey }: ClientsLimits) {
      if (deltas.length === 0) return;
      await redis.shimMergeClients(keys.clients, JSON.stringify(deltas), maxClients, othersKey, keys.client);
    },

    async clients() {
      const [since, ids] = await Promise.all([redis.get(keys.since), redis.zrange(keys.clients, 0, -1)]);
      const pipeline = redis.pipeline();
      for (const id of ids) pipeline.hgetall(`${keys.client}${id}`);
      const entries = ((await pipeline.exec()) ?? []).map(([, fields]) => fields as Record<string, string>);
      const clients = entries
        .filter((fields) => fields.account_id !== undefined)
        .map((fields): ClientCounts => {
          const counts: Record<string, number> = {};
          for (const [name, value] of Object.entries(fields)) if (name.startsWith("c:")) counts[name.slice(2)] = Number(value);
          return {
            account_id: fields.account_id!,
            user_agent: fields.user_agent!,
            first_seen: Number(fields.first_seen),
            last_seen: Number(fields.last_seen),
            counts,
          };
        });
      return { since: Number(since ?? Date.now()), clients };
    },

    async addHourCounts(counts: readonly HourCount[], { maxSeriesPerHour, othersSeries }: HourLimits) {
      if (counts.length === 0) return;
      await redis.shimAddHours(keys.hours, JSON.stringify(counts), maxSeriesPerHour, othersSeries, keys.hour);
    },

    async hourCounts(since: number) {
      const hours = await redis.zrangebyscore(keys.hours, since, "+inf");
      const pipeline = redis.pipeline();
      for (const hour of hours) pipeline.hgetall(`${keys.hour}${hour}`);
      const replies = (await pipeline.exec()) ?? [];
      return hours.flatMap((hour, i) =>
        Object.entries((replies[i]?.[1] ?? {}) as Record<string, string>).map(([series, count]) => ({
          hour: Number(hour),
          series,
          count: Number(count),
        })),
      );
    },
  };
}

/** Marks when this store began counting, unless another handle did first. */
export async function markClientsSince(redis: Redis, prefix: string): Promise<void> {
  await redis.set(keysOf(prefix).since, String(Date.now()), "NX");
}

/** Forgets callers not seen, and hours, within the clients view's retention. */
export async function sweepClientsView(redis: ScriptedRedis<typeof clientsViewScripts>, prefix: string, cutoff: number): Promise<void> {
  const keys = keysOf(prefix);
  await redis.shimSweepClients(keys.clients, keys.hours, cutoff, keys.client, keys.hour);
}
