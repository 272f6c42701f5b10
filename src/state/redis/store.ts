import { Redis } from "ioredis";
import type { StateStore } from "../store.js";
import { clientsViewScripts, markClientsSince, redisClientsView, sweepClientsView } from "./clients-view.js";
import { redisFlags } from "./flags.js";
import { hitLogScripts, redisHitLogs } from "./hit-logs.js";
import { ledgerScripts, redisLedger, sweepLedger } from "./ledger.js";
import { pacingScripts, redisPacing } from "./pacing.js";
import { redisReplicaBeats, replicaBeatScripts } from "./replicas.js";
import { defineScripts } from "./scripts.js";

const SCRIPTS = { ...pacingScripts, ...hitLogScripts, ...clientsViewScripts, ...ledgerScripts, ...replicaBeatScripts };

interface RedisOptions {
  url: string;
  /** Every key starts with it, so one Redis can serve other things too. */
  prefix?: string;
  ledgerRetentionMs: number;
}

export interface RedisStore extends StateStore {
  /** Connects; rejects when Redis cannot be reached now (ioredis keeps trying). */
  connect(): Promise<void>;
}

/**
 * State shared by every replica, in Redis (ioredis), each role in a module of its
 * own with its scripts. Commands fail at once while the connection is down (no
 * offline queue, a short command timeout), so the shim falls back or refuses
 * instead of hanging; ioredis reconnects by itself.
 */
export function redisStore({ url, prefix = "shim:", ledgerRetentionMs }: RedisOptions): RedisStore {
  const client = new Redis(url, {
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
  client.on("error", () => undefined);
  const redis = defineScripts(client, SCRIPTS);

  return {
    backend: "redis",
    ...redisPacing(redis, prefix),
    ...redisHitLogs(redis, prefix),
    ...redisFlags(redis, prefix),
    ...redisClientsView(redis, prefix),
    ...redisLedger(redis, prefix, ledgerRetentionMs),
    ...redisReplicaBeats(redis, prefix),

    async connect() {
      await redis.connect();
      await markClientsSince(redis, prefix);
    },

    async sweep(limits) {
      await sweepLedger(redis, prefix, limits.now, limits.now - limits.ledgerRetentionMs);
      await sweepClientsView(redis, prefix, limits.now - limits.clientsRetentionMs);
    },

    async ping() {
      await redis.ping();
    },

    async close() {
      redis.disconnect();
    },
  };
}
