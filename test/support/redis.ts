// A redis-server of a test's own: the benchmark's helper, shared.
import { type RedisServer, startRedis as startRedisServer } from "../../bench/redis-server.mjs";
import { closedAfterTest } from "./teardown.js";

export { freePort, type RedisServer } from "../../bench/redis-server.mjs";

/** A redis-server of its own; started in a test, it is stopped once the test finishes (in a beforeAll, by its afterAll). */
export async function startRedis(options?: Parameters<typeof startRedisServer>[0]): Promise<RedisServer> {
  const server = await startRedisServer(options);
  return { ...server, stop: closedAfterTest(server.stop) };
}
