import { readFileSync } from "node:fs";

// Memory of another process, from Linux's /proc. VmRSS is what it holds now;
// VmHWM the most it ever held. Elsewhere there is no /proc: the figures are null.

const KIB_PER_MIB = 1024;

/** @param {number} pid @returns {{ rssMib: number, hwmMib: number } | null} */
export function readMemory(pid) {
  let status;
  try {
    status = readFileSync(`/proc/${pid}/status`, "utf8");
  } catch {
    return null;
  }
  /** @param {string} field */
  const mib = (field) => Number(status.match(new RegExp(`^${field}:\\s+(\\d+) kB`, "m"))?.[1] ?? NaN) / KIB_PER_MIB;
  return { rssMib: mib("VmRSS"), hwmMib: mib("VmHWM") };
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
