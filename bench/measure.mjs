import { readCpuMs } from "./proc.mjs";
import { runAutocannon } from "./run-autocannon.mjs";

/**
 * @typedef {import("./run-autocannon.mjs").LoadOptions} LoadOptions
 * @typedef {Omit<import("./run-autocannon.mjs").LoadResult, "client_cpu_percent"> & { cpu_percent: { server: number | null, load_client: number, fake_v2_and_harness: number } }} Measured
 */

/**
 * One autocannon run against a server process, with the CPU each process used:
 * on a small machine the server, the load generator and the fake v2 (which lives
 * in this process) share the cores, and these shares say which one was saturated.
 * Each share is in % of one core over the run.
 * @param {{ pid: number }} server @param {LoadOptions} options @returns {Promise<Measured>}
 */
export async function measure(server, options) {
  const serverCpuBefore = readCpuMs(server.pid);
  const harnessCpu = process.cpuUsage();
  const { client_cpu_percent, ...run } = await runAutocannon(options);
  const harness = process.cpuUsage(harnessCpu);
  const serverCpuAfter = readCpuMs(server.pid);
  /** @param {number} ms */
  const percent = (ms) => (ms / run.elapsed_ms) * 100;
  return {
    ...run,
    cpu_percent: {
      server: serverCpuBefore === null || serverCpuAfter === null ? null : percent(serverCpuAfter - serverCpuBefore),
      load_client: client_cpu_percent,
      fake_v2_and_harness: percent((harness.user + harness.system) / 1000),
    },
  };
}
