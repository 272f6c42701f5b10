import { readFileSync } from "node:fs";

// What Linux's /proc says about another process: its memory and the CPU it used.
// VmRSS is what it holds now; VmHWM the most it ever held. Elsewhere there is no
// /proc: the figures are null.

const KIB_PER_MIB = 1024;
// USER_HZ, which /proc/<pid>/stat counts in, is 100 on every Linux build in practice.
const MS_PER_TICK = 10;

/** @param {string} path below /proc @returns {string | null} null once the process is gone, or without /proc */
function readProc(path) {
  try {
    return readFileSync(`/proc/${path}`, "utf8");
  } catch {
    return null;
  }
}

/** @param {number} pid @returns {{ rssMib: number, hwmMib: number } | null} */
export function readMemory(pid) {
  const status = readProc(`${pid}/status`);
  if (status === null) return null;
  /** @param {string} field */
  const mib = (field) => Number(status.match(new RegExp(`^${field}:\\s+(\\d+) kB`, "m"))?.[1] ?? NaN) / KIB_PER_MIB;
  return { rssMib: mib("VmRSS"), hwmMib: mib("VmHWM") };
}

/** CPU time (user + system) a process has used so far, in ms. @param {number} pid @returns {number | null} */
export function readCpuMs(pid) {
  const stat = readProc(`${pid}/stat`);
  if (stat === null) return null;
  // The command name may hold spaces and parentheses: the fields start after its last ')'.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // utime and stime are the 14th and 15th fields; the 3rd (state) is fields[0] here.
  return (Number(fields[11]) + Number(fields[12])) * MS_PER_TICK;
}

/**
 * CPU time all processes on the machine used so far (busy: neither idle nor
 * waiting for I/O), in ms summed over the cores. Beside the figures of the
 * processes under test, it tells whether something else took CPU during a run.
 * @returns {number | null}
 */
export function readMachineBusyMs() {
  const stat = readProc("stat");
  if (stat === null) return null;
  // cpu  user nice system idle iowait irq softirq steal …
  const ticks = (stat.split("\n")[0] ?? "").trim().split(/\s+/).slice(1).map(Number);
  const total = ticks.slice(0, 8).reduce((a, b) => a + b, 0);
  return (total - (ticks[3] ?? 0) - (ticks[4] ?? 0)) * MS_PER_TICK;
}

/**
 * Samples a process's RSS until stopped; the peak is over this sampling only,
 * where VmHWM would be over the whole life of the process.
 * @param {number} pid
 * @param {number} [intervalMs]
 * @returns {{ stop(): number | null }} stop returns the peak RSS in MiB
 */
export function sampleRss(pid, intervalMs = 100) {
  /** @type {number | null} */
  let peak = null;
  const sample = () => {
    const memory = readMemory(pid);
    if (memory) peak = Math.max(peak ?? 0, memory.rssMib);
  };
  sample();
  const timer = setInterval(sample, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      sample();
      return peak;
    },
  };
}
