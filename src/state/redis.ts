import { createHash } from "node:crypto";
import { Redis } from "ioredis";
import type { RateWindow } from "../lib/rate-window.js";
import { latestFirst } from "./replica-rules.js";
import { busiest } from "./sliding-log.js";
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
  PLACEMENT_STATES,
  type Placement,
  type PlacementFilter,
  type PlacementOutcome,
  type PlacementPage,
  type PlacementState,
  placementSchema,
  type ReplicaBeat,
  replicaBeatSchema,
  type StateStore,
  type SweepLimits,
} from "./store.js";

// Every update that reads before it writes is one Lua script, which Redis runs
// alone: two replicas racing never double-count or over-admit. Times that
// replicas compare (pacing, failed logins) are Redis's own clock (TIME), so the
// replicas' clocks need not agree. Not for Redis Cluster: scripts touch keys
// they build themselves.

const NOW = "local t = redis.call('TIME') local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)";

// KEYS: log, hold. ARGV: maxWaitMs, member, then limit and window of each window.
const RESERVE = `${NOW}
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
return {1, tostring(wait)}`;

// KEYS: hold. ARGV: ms.
const HOLD = `${NOW}
local untilMs = now + tonumber(ARGV[1])
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
if untilMs > current then redis.call('SET', KEYS[1], tostring(untilMs), 'PX', ARGV[1]) end`;

// KEYS: the bucket's log, the source's log.
const INHERIT = `
if redis.call('EXISTS', KEYS[1]) == 1 or redis.call('EXISTS', KEYS[2]) == 0 then return 0 end
redis.call('ZUNIONSTORE', KEYS[1], 1, KEYS[2])
redis.call('PEXPIRE', KEYS[1], redis.call('PTTL', KEYS[2]))
return 1`;

// KEYS: the logs. ARGV: windowMs, mode (check, admit, add), token, then each log's limit.
const HITS = `${NOW}
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
return '0'`;

// KEYS: the clients' index. ARGV: deltas as JSON, maxClients, othersKey, the entries' key prefix.
const MERGE_CLIENTS = `
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
end`;

// KEYS: the hours' index. ARGV: counts as JSON, maxSeriesPerHour, othersSeries, the hours' key prefix.
// No TTL: the sweep forgets an hour with the clients view's retention, as it forgets callers.
const ADD_HOURS = `
local max, others, prefix = tonumber(ARGV[2]), ARGV[3], ARGV[4]
for _, c in ipairs(cjson.decode(ARGV[1])) do
  local hour = string.format('%d', c.hour)
  local key = prefix .. hour
  local series = c.series
  if redis.call('HEXISTS', key, series) == 0 and redis.call('HLEN', key) >= max then series = others end
  redis.call('HINCRBY', key, series, c.count)
  redis.call('ZADD', KEYS[1], c.hour, hour)
end`;

// KEYS: the hours' index. ARGV: the cutoff, the hours' key prefix.
const SWEEP_HOURS = `
for _, hour in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', '(' .. ARGV[1], 'LIMIT', 0, 500)) do
  redis.call('DEL', ARGV[2] .. hour)
  redis.call('ZREM', KEYS[1], hour)
end`;

// The ledger's indexes that follow a record's state, named as beginPlacement names them.
const LEDGER_KEYS = `
local function indexes(prefix, p, state)
  return {prefix .. 'i:state:' .. state, prefix .. 'i:acst:' .. p.account_id .. ':' .. state}
end
local function move(prefix, p, from, to)
  for _, key in ipairs(indexes(prefix, p, from)) do redis.call('ZREM', key, p.alternative_order_id) end
  for _, key in ipairs(indexes(prefix, p, to)) do redis.call('ZADD', key, p.created_at, p.alternative_order_id) end
end`;

// The ledger's rules, as placement-rules.ts says them for the other backends.
// KEYS: the record, its fingerprint's index. ARGV: the record as JSON, its TTL, the ledger's key prefix, the
// window's start ('' for none). One script, not a MULTI of six: cheaper per order.
const ADMIT = `${LEDGER_KEYS}
local incoming, prefix = cjson.decode(ARGV[1]), ARGV[3]
local raw = redis.call('GET', KEYS[1])
if raw then
  local p = cjson.decode(raw)
  if p.fingerprint == incoming.fingerprint and (p.state == 'refused' or p.state == 'failed') then
    local from = p.state
    p.state, p.req_id, p.v2_order_id, p.v2_status = 'placing', incoming.req_id, cjson.null, cjson.null
    p.owner, p.lease_until, p.updated_at = incoming.owner, incoming.lease_until, incoming.updated_at
    redis.call('SET', KEYS[1], cjson.encode(p), 'KEEPTTL')
    move(prefix, p, from, 'placing')
    return {1}
  end
  return {0, raw}
end
if ARGV[4] ~= '' and incoming.fingerprint ~= cjson.null then
  for _, id in ipairs(redis.call('ZREVRANGEBYSCORE', KEYS[2], '+inf', ARGV[4])) do
    local earlier = redis.call('GET', prefix .. 'r:' .. id)
    if earlier then
      local state = cjson.decode(earlier).state
      if state ~= 'refused' and state ~= 'failed' then return {0, earlier} end
    end
  end
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
local id = incoming.alternative_order_id
redis.call('ZADD', prefix .. 'i:all', incoming.created_at, id)
redis.call('ZADD', prefix .. 'i:account:' .. incoming.account_id, incoming.created_at, id)
if incoming.fingerprint ~= cjson.null then redis.call('ZADD', KEYS[2], incoming.created_at, id) end
for _, key in ipairs(indexes(prefix, incoming, incoming.state)) do redis.call('ZADD', key, incoming.created_at, id) end
return {1}`;

// ARGV: the outcomes as JSON, the ledger's key prefix.
const SETTLE = `${LEDGER_KEYS}
for _, o in ipairs(cjson.decode(ARGV[1])) do
  local key = ARGV[2] .. 'r:' .. o.alternative_order_id
  local raw = redis.call('GET', key)
  if raw then
    local p = cjson.decode(raw)
    local from = p.state
    p.state, p.v2_order_id, p.v2_status, p.lease_until, p.updated_at = o.state, o.v2_order_id, o.v2_status, cjson.null, o.at
    redis.call('SET', key, cjson.encode(p), 'KEEPTTL')
    move(ARGV[2], p, from, p.state)
  end
end`;

// KEYS: the record. ARGV: owner, leaseUntil, now, the ledger's key prefix.
const CLAIM = `${LEDGER_KEYS}
local raw = redis.call('GET', KEYS[1])
if not raw then return {0, false} end
local p = cjson.decode(raw)
local lease = p.lease_until
local free = lease == cjson.null or lease < tonumber(ARGV[3])
if not (p.state == 'unknown' or (p.state == 'placing' and (p.owner == ARGV[1] or free))) then return {0, raw} end
local from = p.state
p.state, p.owner, p.lease_until, p.updated_at = 'placing', ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
raw = cjson.encode(p)
redis.call('SET', KEYS[1], raw, 'KEEPTTL')
if from ~= 'placing' then move(ARGV[4], p, from, 'placing') end
return {1, raw}`;

// KEYS: the secret. ARGV: the candidate.
const SECRET = `
local kept = redis.call('GET', KEYS[1])
if kept then return kept end
redis.call('SET', KEYS[1], ARGV[1])
return ARGV[1]`;

// KEYS: an index. ARGV: the highest score, the cursor's id ('' for none), limit, the ledger's key prefix.
const LIST = `
local top, cursorId, limit, prefix = ARGV[1], ARGV[2], tonumber(ARGV[3]), ARGV[4]
local out, offset, batch = {}, 0, limit + 16
while #out <= limit do
  local ids = redis.call('ZREVRANGEBYSCORE', KEYS[1], top, '-inf', 'WITHSCORES', 'LIMIT', offset, batch)
  if #ids == 0 then break end
  for i = 1, #ids, 2 do
    local id, score = ids[i], ids[i + 1]
    if not (cursorId ~= '' and tonumber(score) == tonumber(top) and id >= cursorId) then
      local raw = redis.call('GET', prefix .. 'r:' .. id)
      if raw then out[#out + 1] = raw end
      if #out > limit then break end
    end
  end
  offset = offset + batch
end
return out`;

// ARGV: now, ledger cutoff, clients cutoff, ledger prefix, clients prefix, then every state.
const SWEEP = `${LEDGER_KEYS}
local now, ledgerCutoff, clientsCutoff, lp, cp = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), ARGV[4], ARGV[5]
for _, id in ipairs(redis.call('ZRANGE', lp .. 'i:state:placing', 0, 199)) do
  local raw = redis.call('GET', lp .. 'r:' .. id)
  if raw then
    local p = cjson.decode(raw)
    if p.state == 'placing' and p.lease_until ~= cjson.null and p.lease_until < now then
      p.state, p.lease_until, p.v2_status, p.updated_at = 'unknown', cjson.null, 'abandoned', now
      redis.call('SET', lp .. 'r:' .. id, cjson.encode(p), 'KEEPTTL')
      move(lp, p, 'placing', 'unknown')
    end
  end
end
for _, id in ipairs(redis.call('ZRANGEBYSCORE', lp .. 'i:all', '-inf', '(' .. ledgerCutoff, 'LIMIT', 0, 500)) do
  local raw = redis.call('GET', lp .. 'r:' .. id)
  if raw then
    local p = cjson.decode(raw)
    for _, key in ipairs(indexes(lp, p, p.state)) do redis.call('ZREM', key, id) end
    redis.call('ZREM', lp .. 'i:account:' .. p.account_id, id)
    if p.fingerprint ~= cjson.null then redis.call('ZREM', lp .. 'i:fp:' .. p.fingerprint, id) end
    redis.call('DEL', lp .. 'r:' .. id)
  end
  redis.call('ZREM', lp .. 'i:all', id)
end
for i = 6, #ARGV do redis.call('ZREMRANGEBYSCORE', lp .. 'i:state:' .. ARGV[i], '-inf', '(' .. ledgerCutoff) end
for _, id in ipairs(redis.call('ZRANGEBYSCORE', cp .. 'index', '-inf', '(' .. clientsCutoff, 'LIMIT', 0, 500)) do
  redis.call('DEL', cp .. 'e:' .. id)
  redis.call('ZREM', cp .. 'index', id)
end`;

// KEYS: the beats (a hash, by replica), when each last beat (a sorted set). ARGV: the replica, its beat as JSON, its time, forgetBefore.
// Both keys lapse once no replica has beaten for as long as a beat is kept.
const BEAT = `
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[1])
for _, replica in ipairs(redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', '(' .. ARGV[4])) do redis.call('HDEL', KEYS[1], replica) end
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', '(' .. ARGV[4])
local ttl = math.max(1, math.ceil(tonumber(ARGV[3]) - tonumber(ARGV[4])))
redis.call('PEXPIRE', KEYS[1], ttl)
redis.call('PEXPIRE', KEYS[2], ttl)`;

/** A Lua script run by its digest, sent whole only when Redis does not know it yet. */
class Script {
  readonly #sha: string;
  constructor(private readonly lua: string) {
    this.#sha = createHash("sha1").update(lua).digest("hex");
  }
  async run(redis: Redis, keys: readonly string[], args: readonly (string | number)[]): Promise<unknown> {
    try {
      return await redis.evalsha(this.#sha, keys.length, ...keys, ...args);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith("NOSCRIPT")) throw error;
      return redis.eval(this.lua, keys.length, ...keys, ...args);
    }
  }
}

const SCRIPTS = {
  reserve: new Script(RESERVE),
  hold: new Script(HOLD),
  inherit: new Script(INHERIT),
  hits: new Script(HITS),
  mergeClients: new Script(MERGE_CLIENTS),
  addHours: new Script(ADD_HOURS),
  sweepHours: new Script(SWEEP_HOURS),
  admit: new Script(ADMIT),
  settle: new Script(SETTLE),
  claim: new Script(CLAIM),
  secret: new Script(SECRET),
  list: new Script(LIST),
  sweep: new Script(SWEEP),
  beat: new Script(BEAT),
};

/** A day beyond the ledger's retention, so that the sweep finds each record before Redis lets it lapse. */
const RECORD_GRACE_MS = 86_400_000;

interface RedisOptions {
  url: string;
  /** Every key starts with it, so one Redis can serve other things too. */
  prefix?: string;
  ledgerRetentionMs: number;
}

/**
 * State shared by every replica, in Redis (ioredis). Commands fail at once while
 * the connection is down (no offline queue, a short command timeout), so the
 * shim falls back or refuses instead of hanging; ioredis reconnects by itself.
 */
export class RedisStore implements StateStore {
  readonly backend = "redis";
  readonly redis: Redis;
  readonly #p: string;
  readonly #ledgerTtlMs: number;
  #sequence = 0;
  readonly #member = `${process.pid}.${Math.random().toString(36).slice(2, 10)}`;

  constructor({ url, prefix = "shim:", ledgerRetentionMs }: RedisOptions) {
    this.#p = prefix;
    this.#ledgerTtlMs = ledgerRetentionMs + RECORD_GRACE_MS;
    this.redis = new Redis(url, {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: 1_000,
      connectTimeout: 2_000,
      // Commands issued in one tick go to Redis in one write: under load, orders share round trips.
      enableAutoPipelining: true,
      // Reconnect for as long as the shim runs, at most a second apart.
      retryStrategy: (attempt) => Math.min(attempt * 100, 1_000),
    });
    // Failures are reported by the commands that meet them; an unheard 'error' would end the process.
    this.redis.on("error", () => undefined);
  }

  /** Connects; rejects when Redis cannot be reached now (ioredis keeps trying). */
  async connect(): Promise<void> {
    await this.redis.connect();
    await this.redis.set(`${this.#p}clients:since`, String(Date.now()), "NX");
  }

  /** A member of a sorted set that no other call, in this process or another, uses. */
  #unique(): string {
    return `${this.#member}.${++this.#sequence}`;
  }

  async reserve(bucket: string, windows: readonly RateWindow[], maxWaitMs: number) {
    const args = [Math.floor(maxWaitMs), this.#unique(), ...windows.flatMap((w) => [w.limit, w.windowMs])];
    const [admitted, wait] = (await SCRIPTS.reserve.run(this.redis, [`${this.#p}pace:${bucket}`, `${this.#p}hold:${bucket}`], args)) as [
      number,
      string,
    ];
    return { admitted: admitted === 1, waitMs: Number(wait) };
  }

  async holdBack(bucket: string, ms: number) {
    await SCRIPTS.hold.run(this.redis, [`${this.#p}hold:${bucket}`], [Math.max(1, Math.ceil(ms))]);
  }

  async paceLoad(windowMs: number, max: number) {
    const [seconds, micros] = await this.redis.time();
    const now = Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
    const loads = new Map<string, PaceLoad>();
    const load = (bucket: string) => loads.get(bucket) ?? { bucket, calls: 0, heldUntil: null };
    // Buckets are found by name, a bounded scan: the dashboard asks this, never an order.
    for (const [kind, pattern] of [
      ["pace", `${this.#p}pace:*`],
      ["hold", `${this.#p}hold:*`],
    ] as const) {
      let cursor = "0";
      let seen = 0;
      do {
        const [next, keys] = await this.redis.scan(cursor, "MATCH", pattern, "COUNT", 200);
        cursor = next;
        seen += keys.length;
        for (const key of keys) {
          const bucket = key.slice(`${this.#p}${kind}:`.length);
          if (kind === "pace") loads.set(bucket, { ...load(bucket), calls: await this.redis.zcount(key, `(${now - windowMs}`, "+inf") });
          else {
            const until = Number(await this.redis.get(key));
            if (until > now) loads.set(bucket, { ...load(bucket), heldUntil: until });
          }
        }
      } while (cursor !== "0" && seen < 10_000);
    }
    return busiest([...loads.values()], max);
  }

  async inheritPace(bucket: string, from: string) {
    await SCRIPTS.inherit.run(this.redis, [`${this.#p}pace:${bucket}`, `${this.#p}pace:${from}`], []);
  }

  async #hits(mode: "check" | "admit" | "add", keys: readonly string[], limits: readonly number[], windowMs: number, token: string) {
    const wait = Number(
      await SCRIPTS.hits.run(
        this.redis,
        keys.map((k) => `${this.#p}hits:${k}`),
        [windowMs, mode, token, ...limits],
      ),
    );
    return wait > 0 ? ({ admitted: false, retryAfterMs: wait } as const) : ({ admitted: true } as const);
  }

  hitCheck(scopes: readonly HitScope[], windowMs: number): Promise<HitCheck> {
    return this.#hits(
      "check",
      scopes.map((s) => s.key),
      scopes.map((s) => s.limit),
      windowMs,
      "",
    );
  }

  hitAdmit(scopes: readonly HitScope[], windowMs: number, token: string): Promise<HitCheck> {
    return this.#hits(
      "admit",
      scopes.map((s) => s.key),
      scopes.map((s) => s.limit),
      windowMs,
      token,
    );
  }

  async hitAdd(keys: readonly string[], windowMs: number, token: string) {
    await this.#hits("add", keys, [], windowMs, token);
  }

  async hitRemove(keys: readonly string[], token: string) {
    const multi = this.redis.multi();
    for (const key of keys) multi.zrem(`${this.#p}hits:${key}`, token);
    await multi.exec();
  }

  async setFlag(name: string, ttlMs: number) {
    await this.redis.set(`${this.#p}flag:${name}`, "1", "PX", Math.max(1, Math.ceil(ttlMs)));
  }

  async hasFlag(name: string) {
    return (await this.redis.exists(`${this.#p}flag:${name}`)) === 1;
  }

  async mergeClients(deltas: readonly ClientCounts[], { maxClients, othersKey }: ClientsLimits) {
    if (deltas.length === 0) return;
    await SCRIPTS.mergeClients.run(
      this.redis,
      [`${this.#p}clients:index`],
      [JSON.stringify(deltas), maxClients, othersKey, `${this.#p}clients:e:`],
    );
  }

  async clients() {
    const [since, ids] = await Promise.all([
      this.redis.get(`${this.#p}clients:since`),
      this.redis.zrange(`${this.#p}clients:index`, 0, -1),
    ]);
    const pipeline = this.redis.pipeline();
    for (const id of ids) pipeline.hgetall(`${this.#p}clients:e:${id}`);
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
  }

  async addHourCounts(counts: readonly HourCount[], { maxSeriesPerHour, othersSeries }: HourLimits) {
    if (counts.length === 0) return;
    await SCRIPTS.addHours.run(
      this.redis,
      [`${this.#p}hours:index`],
      [JSON.stringify(counts), maxSeriesPerHour, othersSeries, `${this.#p}hours:h:`],
    );
  }

  async hourCounts(since: number) {
    const hours = await this.redis.zrangebyscore(`${this.#p}hours:index`, since, "+inf");
    const pipeline = this.redis.pipeline();
    for (const hour of hours) pipeline.hgetall(`${this.#p}hours:h:${hour}`);
    const replies = (await pipeline.exec()) ?? [];
    return hours.flatMap((hour, i) =>
      Object.entries((replies[i]?.[1] ?? {}) as Record<string, string>).map(([series, count]) => ({
        hour: Number(hour),
        series,
        count: Number(count),
      })),
    );
  }

  #ledger = (rest: string) => `${this.#p}ledger:${rest}`;

  async admitPlacement(p: Placement, windowSince: number | null): Promise<Admission> {
    const keys = [this.#ledger(`r:${p.alternative_order_id}`), this.#ledger(`i:fp:${p.fingerprint ?? ""}`)];
    const args = [JSON.stringify(p), this.#ledgerTtlMs, this.#ledger(""), windowSince ?? ""];
    const [admitted, earlier] = (await SCRIPTS.admit.run(this.redis, keys, args)) as [number, string | undefined];
    return admitted === 1 ? { admitted: true } : { admitted: false, earlier: placementSchema.parse(JSON.parse(earlier!)) };
  }

  async getPlacement(alternativeOrderId: string) {
    const raw = await this.redis.get(this.#ledger(`r:${alternativeOrderId}`));
    return raw === null ? undefined : placementSchema.parse(JSON.parse(raw));
  }

  async settlePlacements(outcomes: readonly PlacementOutcome[]) {
    await SCRIPTS.settle.run(this.redis, [], [JSON.stringify(outcomes), this.#ledger("")]);
  }

  async listPlacements({ state, account_id, limit, cursor }: PlacementFilter): Promise<PlacementPage> {
    const index = account_id ? (state ? `i:acst:${account_id}:${state}` : `i:account:${account_id}`) : state ? `i:state:${state}` : "i:all";
    const args = [cursor ? cursor.created_at : "+inf", cursor?.alternative_order_id ?? "", limit, this.#ledger("")];
    const raw = (await SCRIPTS.list.run(this.redis, [this.#ledger(index)], args)) as string[];
    const rows = raw.map((text) => placementSchema.parse(JSON.parse(text)));
    const placements = rows.slice(0, limit);
    return { placements, next: rows.length > limit ? placements.at(-1)! : null };
  }

  async countPlacements(state: PlacementState) {
    return this.redis.zcard(this.#ledger(`i:state:${state}`));
  }

  async claimPlacement(alternativeOrderId: string, { owner, leaseUntil, now }: Claim): Promise<ClaimResult> {
    const [claimed, raw] = (await SCRIPTS.claim.run(
      this.redis,
      [this.#ledger(`r:${alternativeOrderId}`)],
      [owner, leaseUntil, now, this.#ledger("")],
    )) as [number, string | null];
    const placement = raw ? placementSchema.parse(JSON.parse(raw)) : undefined;
    return claimed === 1 ? { claimed: true, placement: placement! } : { claimed: false, placement };
  }

  async sharedSecret(name: string, candidate: string) {
    return (await SCRIPTS.secret.run(this.redis, [`${this.#p}secret:${name}`], [candidate])) as string;
  }

  async sweep({ now, ledgerRetentionMs, clientsRetentionMs }: SweepLimits) {
    const args = [now, now - ledgerRetentionMs, now - clientsRetentionMs, this.#ledger(""), `${this.#p}clients:`, ...PLACEMENT_STATES];
    await SCRIPTS.sweep.run(this.redis, [], args);
    await SCRIPTS.sweepHours.run(this.redis, [`${this.#p}hours:index`], [now - clientsRetentionMs, `${this.#p}hours:h:`]);
  }

  #beatKeys = () => [`${this.#p}replicas:beats`, `${this.#p}replicas:seen`];

  async beat(beat: ReplicaBeat, forgetBefore: number) {
    await SCRIPTS.beat.run(this.redis, this.#beatKeys(), [beat.replica, JSON.stringify(beat), beat.at, forgetBefore]);
  }

  async replicas(since: number) {
    const [beats, seen] = this.#beatKeys();
    const replicas = await this.redis.zrevrangebyscore(seen!, "+inf", since);
    if (replicas.length === 0) return [];
    const raw = await this.redis.hmget(beats!, ...replicas);
    return latestFirst(raw.flatMap((text) => (text === null ? [] : [replicaBeatSchema.parse(JSON.parse(text))])));
  }

  async ping() {
    await this.redis.ping();
  }

  async close() {
    this.redis.disconnect();
  }
}
