import { latestFirst } from "../replica-rules.js";
import { type ReplicaBeat, type ReplicaBeats, replicaBeatSchema } from "../store.js";
import type { ScriptedRedis } from "./scripts.js";

// Replicas' beats: the latest of each replica in a hash (replicas:beats), when each
// last beat in a sorted set (replicas:seen).

export const replicaBeatScripts = {
  /**
   * KEYS: the beats, when each last beat. ARGV: the replica, its beat as JSON, its time, forgetBefore.
   * Both keys lapse once no replica has beaten for as long as a beat is kept.
   */
  shimBeat: {
    numberOfKeys: 2,
    lua: `
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[1])
for _, replica in ipairs(redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', '(' .. ARGV[4])) do redis.call('HDEL', KEYS[1], replica) end
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', '(' .. ARGV[4])
local ttl = math.max(1, math.ceil(tonumber(ARGV[3]) - tonumber(ARGV[4])))
redis.call('PEXPIRE', KEYS[1], ttl)
redis.call('PEXPIRE', KEYS[2], ttl)`,
  },
};

export function redisReplicaBeats(redis: ScriptedRedis<typeof replicaBeatScripts>, prefix: string): ReplicaBeats {
  const beats = `${prefix}replicas:beats`;
  const seen = `${prefix}replicas:seen`;
  return {
    async beat(beat: ReplicaBeat, forgetBefore: number) {
      await redis.shimBeat(beats, seen, beat.replica, JSON.stringify(beat), beat.at, forgetBefore);
    },

    async replicas(since: number) {
      const replicas = await redis.zrevrangebyscore(seen, "+inf", since);
      if (replicas.length === 0) return [];
      const raw = await redis.hmget(beats, ...replicas);
      return latestFirst(raw.flatMap((text) => (text === null ? [] : [replicaBeatSchema.parse(JSON.parse(text))])));
    },
  };
}
