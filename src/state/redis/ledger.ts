import {
  type Admission,
  type Claim,
  type ClaimResult,
  type OrderLedger,
  PLACEMENT_STATES,
  type Placement,
  type PlacementFilter,
  type PlacementOutcome,
  type PlacementPage,
  type PlacementState,
  placementSchema,
} from "../store.js";
import type { ScriptedRedis } from "./scripts.js";

// The order ledger: each record a JSON string (ledger:r:<id>), lapsing a day after the
// ledger's retention; sorted sets of ids by created_at as its indexes: all (i:all), by
// account (i:account:<id>), by state (i:state:<state>), by account and state
// (i:acst:<id>:<state>), by fingerprint (i:fp:<fingerprint>). The rules are
// placement-rules.ts's, restated in Lua beside each script that keeps them.

// The indexes that follow a record's state, named as admitPlacement names them.
const LEDGER_KEYS = `
local function indexes(prefix, p, state)
  return {prefix .. 'i:state:' .. state, prefix .. 'i:acst:' .. p.account_id .. ':' .. state}
end
local function move(prefix, p, from, to)
  for _, key in ipairs(indexes(prefix, p, from)) do redis.call('ZREM', key, p.alternative_order_id) end
  for _, key in ipairs(indexes(prefix, p, to)) do redis.call('ZADD', key, p.created_at, p.alternative_order_id) end
end`;

export const ledgerScripts = {
  /**
   * placement-rules.ts's admissionStep (with madeNothing, liveSince and reopened), in
   * Lua: the record holding the id stands in the way unless it made nothing for the
   * same fingerprint (then it is opened again); else the newest live placement with
   * the fingerprint inside the window does. One script, not a MULTI of six: cheaper
   * per order. KEYS: the record, its fingerprint's index. ARGV: the record as JSON, its
   * TTL, the ledger's key prefix, the window's start ('' for none).
   */
  shimAdmit: {
    numberOfKeys: 2,
    lua: `${LEDGER_KEYS}
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
return {1}`,
  },
  /** placement-rules.ts's settled, in Lua. ARGV: the outcomes as JSON, the ledger's key prefix. */
  shimSettle: {
    numberOfKeys: 0,
    lua: `${LEDGER_KEYS}
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
end`,
  },
  /** placement-rules.ts's claimable and claimed, in Lua. KEYS: the record. ARGV: owner, leaseUntil, now, the ledger's key prefix. */
  shimClaim: {
    numberOfKeys: 1,
    lua: `${LEDGER_KEYS}
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
return {1, raw}`,
  },
  /** KEYS: the secret. ARGV: the candidate. */
  shimSecret: {
    numberOfKeys: 1,
    lua: `
local kept = redis.call('GET', KEYS[1])
if kept then return kept end
redis.call('SET', KEYS[1], ARGV[1])
return ARGV[1]`,
  },
  /**
   * A page of an index, newest first and after the cursor: placement-rules.ts's
   * isAfterCursor, in Lua (ties by id, descending, as the index's reverse order gives them).
   * KEYS: an index. ARGV: the highest score, the cursor's id ('' for none), limit, the ledger's key prefix.
   */
  shimList: {
    numberOfKeys: 1,
    lua: `
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
return out`,
  },
  /**
   * placement-rules.ts's isAbandoned and abandoned, in Lua, then the records past
   * the retention, a bounded number a round. ARGV: now, the cutoff, the ledger's key prefix, then every state.
   */
  shimSweepLedger: {
    numberOfKeys: 0,
    lua: `${LEDGER_KEYS}
local now, cutoff, lp = tonumber(ARGV[1]), tonumber(ARGV[2]), ARGV[3]
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
for _, id in ipairs(redis.call('ZRANGEBYSCORE', lp .. 'i:all', '-inf', '(' .. cutoff, 'LIMIT', 0, 500)) do
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
for i = 4, #ARGV do redis.call('ZREMRANGEBYSCORE', lp .. 'i:state:' .. ARGV[i], '-inf', '(' .. cutoff) end`,
  },
};

/** A day beyond the ledger's retention, so that the sweep finds each record before Redis lets it lapse. */
const RECORD_GRACE_MS = 86_400_000;

const ledgerKey = (prefix: string, rest: string) => `${prefix}ledger:${rest}`;
const parsed = (raw: string): Placement => placementSchema.parse(JSON.parse(raw));

export function redisLedger(redis: ScriptedRedis<typeof ledgerScripts>, prefix: string, ledgerRetentionMs: number): OrderLedger {
  const key = (rest: string) => ledgerKey(prefix, rest);
  const ledgerPrefix = key("");
  const recordTtlMs = ledgerRetentionMs + RECORD_GRACE_MS;

  return {
    async admitPlacement(p: Placement, windowSince: number | null): Promise<Admission> {
      const [admitted, earlier] = (await redis.shimAdmit(
        key(`r:${p.alternative_order_id}`),
        key(`i:fp:${p.fingerprint ?? ""}`),
        JSON.stringify(p),
        recordTtlMs,
        ledgerPrefix,
        windowSince ?? "",
      )) as [number, string | undefined];
      return admitted === 1 ? { admitted: true } : { admitted: false, earlier: parsed(earlier!) };
    },

    async getPlacement(alternativeOrderId: string) {
      const raw = await redis.get(key(`r:${alternativeOrderId}`));
      return raw === null ? undefined : parsed(raw);
    },

    async settlePlacements(outcomes: readonly PlacementOutcome[]) {
      await redis.shimSettle(JSON.stringify(outcomes), ledgerPrefix);
    },

    async listPlacements({ state, account_id, limit, cursor }: PlacementFilter): Promise<PlacementPage> {
      const index = account_id
        ? state
          ? `i:acst:${account_id}:${state}`
          : `i:account:${account_id}`
        : state
          ? `i:state:${state}`
          : "i:all";
      const raw = (await redis.shimList(
        key(index),
        cursor ? cursor.created_at : "+inf",
        cursor?.alternative_order_id ?? "",
        limit,
        ledgerPrefix,
      )) as string[];
      const rows = raw.map(parsed);
      const placements = rows.slice(0, limit);
      return { placements, next: rows.length > limit ? placements.at(-1)! : null };
    },

    countPlacements: (state: PlacementState) => redis.zcard(key(`i:state:${state}`)),

    async claimPlacement(alternativeOrderId: string, { owner, leaseUntil, now }: Claim): Promise<ClaimResult> {
      const [claimed, raw] = (await redis.shimClaim(key(`r:${alternativeOrderId}`), owner, leaseUntil, now, ledgerPrefix)) as [
        number,
        string | null,
      ];
      const placement = raw ? parsed(raw) : undefined;
      return claimed === 1 ? { claimed: true, placement: placement! } : { claimed: false, placement };
    },

    async sharedSecret(name: string, candidate: string) {
      return (await redis.shimSecret(`${prefix}secret:${name}`, candidate)) as string;
    },
  };
}

/** Marks abandoned placements unknown, and forgets records created before the cutoff. */
export async function sweepLedger(redis: ScriptedRedis<typeof ledgerScripts>, prefix: string, now: number, cutoff: number): Promise<void> {
  await redis.shimSweepLedger(now, cutoff, ledgerKey(prefix, ""), ...PLACEMENT_STATES);
}
