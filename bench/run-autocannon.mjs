import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const LOAD_CLIENT = fileURLToPath(new URL("./load-client.mjs", import.meta.url));

/**
 * @typedef {object} LoadOptions
 * @property {string} url
 * @property {Record<string, string>} headers
 * @property {string} body
 * @property {boolean} [idReplacement] each request's body with a fresh id where it says [<id>]
 * @property {number} connections
 * @property {number} [durationS] how long to send, unless `amount` is given
 * @property {number} [amount] send exactly this many requests (one per connection when equal to `connections`)
 * @property {number} [timeoutS] a request without an answer by then counts as an error
 */

/**
 * @typedef {object} LoadResult
 * @property {number} requests_per_sec mean of autocannon's per-second samples
 * @property {number} responses
 * @property {number} elapsed_ms
 * @property {{ p50: number | null, p90: number | null, p99: number | null, max: number | null }} latency_ms of the 2xx answers, to the microsecond
 * @property {Record<string, number>} status_counts
 * @property {number} non_2xx
 * @property {number} socket_errors
 * @property {number} timeouts
 * @property {number} client_cpu_percent the load generator's CPU over the run, in % of one core
 * @property {number} client_cpu_ms_total the load generator's CPU time, its start-up included
 */

/** Runs one autocannon load from a child process. @param {LoadOptions} options @returns {Promise<LoadResult>} */
export async function runAutocannon(options) {
  const child = spawn(process.execPath, [LOAD_CLIENT, JSON.stringify(options)], { stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk) => (stdout += chunk));
  child.stderr.on("data", (chunk) => (stderr += chunk));
  const code = await new Promise((resolve) => child.once("close", resolve));
  const line = stdout.trim().split("\n").pop();
  if (code !== 0 || !line) throw new Error(`the load client exited ${code}: ${stderr.trim()}`);
  return JSON.parse(line);
}
