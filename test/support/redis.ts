// A redis-server of a test's own: the benchmark's helper, shared.
export { freePort, type RedisServer, startRedis } from "../../bench/redis-server.mjs";
