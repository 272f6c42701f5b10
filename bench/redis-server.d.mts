// The types of redis-server.mjs, for the TypeScript tests that use it (test/support/redis.ts).
export interface RedisServer {
  url: string;
  port: number;
  /** The running process's, for its CPU time (the bench). */
  pid(): number | undefined;
  /** Starts it again on the same port and folder (after `kill`). */
  start(): Promise<void>;
  /** SIGKILL: gone at once, as a crash leaves it. */
  kill(): Promise<void>;
  /** SIGSTOP: connections stay open, nothing is answered. */
  pause(): void;
  /** SIGCONT: what was sent meanwhile is done, in order. */
  resume(): void;
  /** Stops it for good and removes its folder. */
  stop(): Promise<void>;
}
export function freePort(): Promise<number>;
/** With `tls`: TLS connections only (rediss://), with that certificate and key; `ca` (PEM text) is what signed them. */
export function startRedis(options?: {
  tls?: { certFile: string; keyFile: string; ca: string };
  appendfsync?: "always" | "everysec";
}): Promise<RedisServer>;
