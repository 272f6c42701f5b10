import { performance } from "node:perf_hooks";
import { readCpuMs, readMachineBusyMs } from "./proc.mjs";
import { runAutocannon } from "./run-autocannon.mjs";

/**
 * @typedef {import("./run-autocannon.mjs").LoadOptions} LoadOptions
 * @typedef {{ server: number | null, load_client: number, fake_v2_and_harness: number, other: number | null }} CpuPercent
 * @typedef {Omit<import("./run-autocannon.mjs").LoadResult, "client_cpu_percent" | "client_cpu_ms_total"> & { cpu_percent: CpuPercent, cpu_us_per_request: number | null }} Measured
 * @typedef {Measured & { rounds: Measured[] }} Combined a server's runs of one format over the rounds
 */

/**
 * One autocannon run against a server process, with the CPU each process used:
 * on a small machine the server, the load generator and the fake v2 (which lives
 * in this process) share the cores, and these shares say which one was saturated.
 * Each share is in % of one core over the run; `other` is the CPU the machine
 * used beyond these three processes (the kernel's loopback networking, and
 * anything else that ran meanwhile), over the whole call.
 * @param {{ pid: number }} server @param {LoadOptions} options @returns {Promise<Measured>}
 */
export async function measure(server, options) {
  const serverCpuBefore = readCpuMs(server.pid);
  const machineBefore = readMachineBusyMs();
  const harnessCpu = process.cpuUsage();
  const started = performance.now();
  const { client_cpu_percent, client_cpu_ms_total, ...run } = await runAutocannon(options);
  const wallMs = performance.now() - started;
  const harness = process.cpuUsage(harnessCpu);
  const harnessMs = (harness.user + harness.system) / 1000;
  const serverMs = serverCpuBefore === null ? null : (readCpuMs(server.pid) ?? NaN) - serverCpuBefore;
  const machineMs = machineBefore === null ? null : (readMachineBusyMs() ?? NaN) - machineBefore;
  return {
    ...run,
    // The steady figure: the server's CPU time per answer, which the load's pace does not change.
    cpu_us_per_request: serverMs === null || run.responses === 0 ? null : (serverMs * 1000) / run.responses,
    cpu_percent: {
      // The server is idle but for the load, so its time over the load's window is its share.
      server: serverMs === null ? null : (serverMs / run.elapsed_ms) * 100,
      load_client: client_cpu_percent,
      fake_v2_and_harness: (harnessMs / run.elapsed_ms) * 100,
      other: machineMs === null || serverMs === null ? null : ((machineMs - serverMs - harnessMs - client_cpu_ms_total) / wallMs) * 100,
    },
  };
}

/** @param {(number | null)[]} values @returns {number | null} null when none is known */
function median(values) {
  const known = values.filter((v) => v !== null).sort((a, b) => a - b);
  if (known.length === 0) return null;
  // The same element for an odd count, the two middle ones for an even count.
  const lower = known[Math.ceil(known.length / 2) - 1] ?? NaN;
  const upper = known[Math.floor(known.length / 2)] ?? NaN;
  return (lower + upper) / 2;
}

/** @param {number[]} values */
const sum = (values) => values.reduce((a, b) => a + b, 0);

/**
 * One server's runs of one format over the rounds, as one: the median of each
 * rate, latency and CPU figure (the noise of a shared machine falls mostly on one
 * round), the sums of the counts, the worst latency; each round kept as it was.
 * @param {Measured[]} rounds at least one
 * @returns {Combined}
 */
export function combineRounds(rounds) {
  /** @param {(run: Measured) => number | null} figure */
  const mid = (figure) => median(rounds.map(figure));
  /** @type {Record<string, number>} */
  const statusCounts = {};
  for (const run of rounds)
    for (const [status, count] of Object.entries(run.status_counts)) statusCounts[status] = (statusCounts[status] ?? 0) + count;
  const maxima = rounds.map((run) => run.latency_ms.max).filter((v) => v !== null);
  return {
    requests_per_sec: /** @type {number} */ (mid((run) => run.requests_per_sec)),
    cpu_us_per_request: mid((run) => run.cpu_us_per_request),
    responses: sum(rounds.map((run) => run.responses)),
    elapsed_ms: sum(rounds.map((run) => run.elapsed_ms)),
    latency_ms: {
      p50: mid((run) => run.latency_ms.p50),
      p90: mid((run) => run.latency_ms.p90),
      p99: mid((run) => run.latency_ms.p99),
      max: maxima.length === 0 ? null : Math.max(...maxima),
    },
    status_counts: statusCounts,
    non_2xx: sum(rounds.map((run) => run.non_2xx)),
    socket_errors: sum(rounds.map((run) => run.socket_errors)),
    timeouts: sum(rounds.map((run) => run.timeouts)),
    cpu_percent: {
      server: mid((run) => run.cpu_percent.server),
      load_client: /** @type {number} */ (mid((run) => run.cpu_percent.load_client)),
      fake_v2_and_harness: /** @type {number} */ (mid((run) => run.cpu_percent.fake_v2_and_harness)),
      other: mid((run) => run.cpu_percent.other),
    },
    rounds,
  };
}
