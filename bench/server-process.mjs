import { spawn } from "node:child_process";
import { closeSync, openSync, readFileSync } from "node:fs";
import { connect } from "node:net";
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { request } from "undici";

// A server under test as a process of its own. Its stdout (the shim's log, a
// line per request) goes to a file: a pipe that this busy harness drains late
// would slow the server down and distort what is measured.

const LISTENING = /"port":(\d+)[^\n]*"msg":"listening"/;
const POLL_MS = 2;

/**
 * How long a server may take to listen and to answer its first /healthz: far past
 * what a start takes (its time is measured, as ready_ms), so that only a server that
 * does not start fails, never one that a busy machine starts slowly (seen: 10 s was
 * not enough with six busy loops on the servers' CPU).
 */
export const START_BOUND_MS = 30_000;
/**
 * @typedef {object} ServerProcess
 * @property {number} pid
 * @property {number} port
 * @property {string} url
 * @property {number} startedAt performance.now() when it was spawned
 * @property {number} listeningMs from spawn to its "listening" log line
 * @property {string} logFile
 * @property {() => string} stderr
 * @property {() => Promise<number | null>} stop SIGTERM, then its exit code
 */

/** Whether something accepts connections on a loopback port. @param {number} port @returns {Promise<boolean>} */
function accepts(port) {
  return new Promise((resolve) => {
    const socket = connect({ port, host: "127.0.0.1" });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

/**
 * @typedef {object} ServerOptions
 * @property {string} name
 * @property {string} [command] the program, node by default
 * @property {string[]} args
 * @property {Record<string, string>} env
 * @property {string} logFile where its stdout goes
 * @property {number} [port] the port it was told to listen on; without it, the port comes from its "listening" log line
 * @property {number} [startTimeoutMs]
 */

/**
 * Spawns a server (`node <args>` unless told otherwise) and resolves once it
 * listens: once it logs so, or once its given port takes connections.
 * @param {ServerOptions} options
 * @returns {Promise<ServerProcess>}
 */
export async function startServerProcess({
  name,
  command = process.execPath,
  args,
  env,
  logFile,
  port: givenPort,
  startTimeoutMs = START_BOUND_MS,
}) {
  const log = openSync(logFile, "w");
  const started = performance.now();
  const child = spawn(command, args, { env: { PATH: process.env.PATH ?? "", ...env }, stdio: ["ignore", log, "pipe"] });
  closeSync(log);
  let stderr = "";
  child.stderr?.on("data", (chunk) => (stderr += chunk));
  /** @type {Promise<number | null>} */
  const exited = new Promise((resolve) => child.once("exit", (code) => resolve(code)));
  let exitCode = /** @type {number | null | undefined} */ (undefined);
  void exited.then((code) => (exitCode = code));

  let port;
  while (!port) {
    if (exitCode !== undefined) throw new Error(`${name} exited (${exitCode}) before listening: ${stderr.trim()}`);
    if (performance.now() - started > startTimeoutMs) {
      child.kill("SIGKILL");
      throw new Error(`${name} did not listen within ${startTimeoutMs} ms: ${stderr.trim()}`);
    }
    if (givenPort === undefined) port = Number(readFileSync(logFile, "utf8").match(LISTENING)?.[1] ?? 0);
    else if (await accepts(givenPort)) port = givenPort;
    if (!port) await sleep(POLL_MS);
  }
  const pid = /** @type {number} */ (child.pid);
  return {
    pid,
    port,
    url: `http://127.0.0.1:${port}`,
    startedAt: started,
    listeningMs: performance.now() - started,
    logFile,
    stderr: () => stderr,
    stop: () => {
      if (exitCode === undefined) child.kill("SIGTERM");
      return exited;
    },
  };
}

/**
 * Milliseconds from `since` (a performance.now()) to the first 200 from `GET /healthz`.
 * @param {string} url @param {number} since @param {number} [timeoutMs]
 */
export async function msUntilHealthy(url, since, timeoutMs = START_BOUND_MS) {
  for (;;) {
    try {
      const response = await request(`${url}/healthz`);
      await response.body.dump();
      if (response.statusCode === 200) return performance.now() - since;
    } catch {
      // Not accepting connections yet.
    }
    if (performance.now() - since > timeoutMs) throw new Error(`${url}/healthz did not answer 200 within ${timeoutMs} ms`);
    await sleep(POLL_MS);
  }
}
