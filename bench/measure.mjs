import { performance } from "node:perf_hooks";
import { readCpuMs, readMachineBusyMs } from "./proc.mjs";
import { runAutocannon } from "./run-autocannon.mjs";

/**
 * @typedef {import("./run-autocannon.mjs").LoadOptions} LoadOptions
 * @typedef {Omit<import("./run-autocannon.mjs").LoadResult, "client_cpu_percent" | "client_cpu_ms_total"> & { cpu_percent: { server: number | null, load_client: number, fake_v2_and_harness: number, other: number | null } }} Measured
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
    cpu_percent: {
      // The server is idle but for the load, so its time over the load's window is its share.
      server: serverMs === null ? null : (serverMs / run.elapsed_ms) * 100,
      load_client: client_cpu_percent,
      fake_v2_and_harness: (harnessMs / run.elapsed_ms) * 100,
      other: machineMs === null || serverMs === null ? null : ((machineMs - serverMs - harnessMs - client_cpu_ms_total) / wallMs) * 100,
    },
  };
}
