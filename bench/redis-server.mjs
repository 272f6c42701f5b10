// Debian's redis-server of one's own, on a free loopback port, with its own data
// folder: for `npm run bench` and for the tests (test/support/redis.ts).
import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { createConnection, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect as connectTls } from "node:tls";
import { START_BOUND_MS } from "./server-process.mjs";

/**
 * @typedef {object} RedisServer
 * @property {string} url
 * @property {number} port
 * @property {() => number | undefined} pid the running process's, for its CPU time (the bench)
 * @property {() => Promise<void>} start starts it again on the same port and folder (after `kill`)
 * @property {() => Promise<void>} kill SIGKILL: gone at once, as a crash leaves it
 * @property {() => void} pause SIGSTOP: connections stay open, nothing is answered
 * @property {() => void} resume SIGCONT: what was sent meanwhile is done, in order
 * @property {() => Promise<void>} stop stops it for good and removes its folder
 */

/** @returns {Promise<number>} a loopback port nothing listens on now */
export async function freePort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(undefined)));
  const { port } = /** @type {import("node:net").AddressInfo} */ (server.address());
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * Resolves once the server answers PING with PONG.
 * @param {number} port @param {string | undefined} ca a TLS server's CA certificate (PEM) @param {number} [timeoutMs]
 */
async function whenAnswering(port, ca, timeoutMs = START_BOUND_MS) {
  const until = performance.now() + timeoutMs;
  for (;;) {
    const pong = await new Promise((resolve) => {
      const ping = () => socket.write("PING\r\n");
      const socket = ca ? connectTls({ port, host: "127.0.0.1", ca }, ping) : createConnection({ port, host: "127.0.0.1" }, ping);
      socket.once("data", (data) => {
        socket.destroy();
        resolve(data.toString().startsWith("+PONG"));
      });
      socket.once("error", () => resolve(false));
    });
    if (pong) return;
    if (performance.now() > until) throw new Error(`redis-server on port ${port} did not answer within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/**
 * Starts redis-server (`.ci/run` installs it), appending every write to its log,
 * so that a restart keeps the data: each write made durable before it is answered
 * (`appendfsync always`, what a test that kills Redis needs), or as `appendfsync`
 * says (`everysec`, the production setting README recommends, for the bench). With
 * `tls`, it takes only TLS connections (`rediss://`), with that certificate and
 * key; `ca` (PEM text) is what signed them.
 * @param {{ tls?: { certFile: string, keyFile: string, ca: string }, appendfsync?: "always" | "everysec" }} [options]
 * @returns {Promise<RedisServer>}
 */
export async function startRedis({ tls, appendfsync = "always" } = {}) {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "shim-redis-"));
  /** @type {import("node:child_process").ChildProcess | undefined} */
  let child;
  const listen = tls
    ? [
        "--port",
        "0",
        "--tls-port",
        String(port),
        "--tls-cert-file",
        tls.certFile,
        "--tls-key-file",
        tls.keyFile,
        "--tls-auth-clients",
        "no",
      ]
    : ["--port", String(port)];
  const args = [...listen, "--bind", "127.0.0.1", "--dir", dir, "--save", "", "--appendonly", "yes", "--appendfsync", appendfsync];
  const start = async () => {
    child = spawn("redis-server", args, { stdio: "ignore" });
    await whenAnswering(port, tls?.ca);
  };
  const kill = async () => {
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, "exit");
    child.kill("SIGKILL");
    await exited;
  };
  await start();
  return {
    url: `${tls ? "rediss" : "redis"}://127.0.0.1:${port}`,
    port,
    pid: () => child?.pid,
    start,
    kill,
    pause: () => void child?.kill("SIGSTOP"),
    resume: () => void child?.kill("SIGCONT"),
    stop: async () => {
      await kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
