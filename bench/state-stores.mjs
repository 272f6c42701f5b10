import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { startRedis } from "./redis-server.mjs";

// The shim's state stores as the bench runs them (issue 12): SQLite as `npm start`
// runs it, in a file of its own in the run's folder (not ./data, which would grow
// from run to run), memory, and Redis on a redis-server of the bench's own.

const REDIS_PACKAGE = "redis-server";

/**
 * @typedef {import("./redis-server.mjs").RedisServer} RedisServer
 * @typedef {{ available: true, version: string, url: string, appendfsync: string } | { available: false, reason: string }} RedisStore
 */

/** SHIM_STATE for a shim on SQLite: a file named after it. @param {string} workDir @param {string} name */
export const sqliteState = (workDir, name) => `sqlite:${join(workDir, `${name}.db`)}`;

/** How the bench's Redis makes writes durable: as README ("Running several replicas") recommends for production. */
const APPENDFSYNC = "everysec";

/**
 * Debian's redis-server, started on a free loopback port, or why there is none:
 * not installed (then the shim on Redis is simply not run, as the nginx peer is
 * not), or installed but not starting (then that is also a `problem`).
 * @returns {Promise<{ store: RedisStore, server: RedisServer | null, problem: string | null }>}
 */
export async function startRedisStore() {
  const found = spawnSync("redis-server", ["--version"], { encoding: "utf8" });
  if (found.error || found.status !== 0) {
    return {
      store: { available: false, reason: `redis-server not found (apt-get install -y ${REDIS_PACKAGE})` },
      server: null,
      problem: null,
    };
  }
  const version = found.stdout.match(/v=(\S+)/)?.[1] ?? found.stdout.trim();
  try {
    const server = await startRedis({ appendfsync: APPENDFSYNC });
    return {
      store: { available: true, version, url: server.url, appendfsync: `appendonly yes, appendfsync ${APPENDFSYNC}` },
      server,
      problem: null,
    };
  } catch (error) {
    const reason = `redis-server ${version} did not start: ${error instanceof Error ? error.message : error}`;
    return { store: { available: false, reason }, server: null, problem: reason };
  }
}
