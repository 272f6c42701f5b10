import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";

// The servers under test each run pinned to one CPU, as issue 17 measured them:
// a server then cannot spread its own helper threads (V8's GC, libuv's pool) over
// a second core, so its requests/s and its CPU per request are those of one core,
// whatever the machine has. The load generator and the fake v2 stay unpinned.
// A server is pinned once it serves, so that its start (ready to serve) is
// measured as `npm start` runs it.

/** The CPUs this process may run on, from /proc (Linux); null elsewhere. @returns {number[] | null} */
function allowedCpus() {
  let status;
  try {
    status = readFileSync("/proc/self/status", "utf8");
  } catch {
    return null;
  }
  const list = status.match(/^Cpus_allowed_list:\s*(\S+)$/m)?.[1];
  if (!list) return null;
  // "0-3,6": ranges and single CPUs.
  return list.split(",").flatMap((range) => {
    const [first = 0, last = first] = range.split("-").map(Number);
    return Array.from({ length: last - first + 1 }, (_, i) => first + i);
  });
}

const hasTaskset = () => spawnSync("taskset", ["--version"], { stdio: "ignore" }).status === 0;

/**
 * Which CPU the servers run on: the one asked for, or by default the last this
 * process may use (the first is where the kernel tends to put interrupts).
 * `undefined` (with the reason) when they run unpinned.
 * @param {number | "none" | undefined} asked `--cpu`
 * @returns {{ cpu: number | undefined, note: string }}
 */
export function serverCpu(asked) {
  if (asked === "none") return { cpu: undefined, note: "servers not pinned (--cpu none)" };
  if (!hasTaskset()) return { cpu: undefined, note: "servers not pinned: taskset (util-linux) is not installed" };
  const cpus = allowedCpus();
  if (asked !== undefined) {
    if (cpus && !cpus.includes(asked)) throw new Error(`--cpu ${asked}: this process may run only on CPUs ${cpus.join(", ")}`);
    return { cpu: asked, note: `each server pinned to CPU ${asked} (taskset)` };
  }
  const cpu = cpus?.at(-1);
  if (cpu === undefined) return { cpu: undefined, note: "servers not pinned: /proc/self/status names no CPUs" };
  return { cpu, note: `each server pinned to CPU ${cpu} of ${cpus?.join(",")} (taskset)` };
}

/**
 * Pins a running process, every thread of it, to one CPU; the threads it starts
 * later inherit the pinning. @param {number} pid @param {number} cpu
 */
export function pin(pid, cpu) {
  const result = spawnSync("taskset", ["--all-tasks", "--cpu-list", "--pid", String(cpu), String(pid)], { encoding: "utf8" });
  if (result.status !== 0) throw new Error(`taskset could not pin ${pid} to CPU ${cpu}: ${result.stderr.trim()}`);
}
