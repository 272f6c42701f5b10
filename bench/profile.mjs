import { readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

// What a V8 .cpuprofile says about where the time went: each sample lands in one
// node (a function at a place in the call tree), and timeDeltas[i] is the time
// that sample i stands for. A function's self time is the sum over its nodes.

const ROOT = fileURLToPath(new URL("..", import.meta.url));

/** @param {string} dir the newest .cpuprofile in it */
export function newestProfile(dir) {
  const files = readdirSync(dir)
    .filter((name) => name.endsWith(".cpuprofile"))
    .map((name) => join(dir, name));
  if (files.length === 0) throw new Error(`no .cpuprofile in ${dir}`);
  return files.reduce((a, b) => (statSync(a).mtimeMs >= statSync(b).mtimeMs ? a : b));
}

/** Paths relative to the project, so that a summary reads the same on any machine. @param {string} url */
function shortUrl(url) {
  const path = url.startsWith("file://") ? fileURLToPath(url) : url;
  return path.startsWith(ROOT) ? path.slice(ROOT.length) : path;
}

/** node_modules/<package>, dist/<file>, node:<internal>, or V8's own pseudo-functions. @param {string} url */
function areaOf(url) {
  if (url === "") return "(V8: program, GC, idle, native)";
  const pkg = url.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/)?.[1];
  if (pkg) return pkg;
  if (url.startsWith("node:")) return "node core";
  if (url.startsWith("dist/")) return "shim (dist)";
  return url;
}

/**
 * @param {string} file
 * @param {number} [top]
 * @returns {{ total_ms: number, functions: { function: string, url: string, self_ms: number, percent: number }[], areas: { area: string, self_ms: number, percent: number }[] }}
 */
export function summariseProfile(file, top = 15) {
  /** @type {{ nodes: { id: number, callFrame: { functionName: string, url: string } }[], samples: number[], timeDeltas: number[] }} */
  const profile = JSON.parse(readFileSync(file, "utf8"));
  /** @type {Map<number, number>} */
  const selfUs = new Map();
  profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));

  /** @type {Map<string, { function: string, url: string, us: number }>} */
  const byFunction = new Map();
  /** @type {Map<string, number>} */
  const byArea = new Map();
  let totalUs = 0;
  for (const node of profile.nodes) {
    const us = selfUs.get(node.id) ?? 0;
    if (us === 0) continue;
    totalUs += us;
    const url = shortUrl(node.callFrame.url);
    const name = node.callFrame.functionName || "(anonymous)";
    const key = `${name}\u0000${url}`;
    const entry = byFunction.get(key) ?? { function: name, url, us: 0 };
    entry.us += us;
    byFunction.set(key, entry);
    const area = areaOf(url);
    byArea.set(area, (byArea.get(area) ?? 0) + us);
  }
  /** @param {number} us */
  const round = (us) => Math.round(us / 100) / 10;
  /** @param {number} us */
  const percent = (us) => Math.round((us / totalUs) * 1000) / 10;
  return {
    total_ms: round(totalUs),
    functions: [...byFunction.values()]
      .sort((a, b) => b.us - a.us)
      .slice(0, top)
      .map((f) => ({ function: f.function, url: f.url, self_ms: round(f.us), percent: percent(f.us) })),
    areas: [...byArea.entries()].sort((a, b) => b[1] - a[1]).map(([area, us]) => ({ area, self_ms: round(us), percent: percent(us) })),
  };
}

// Also a command: node bench/profile.mjs <file.cpuprofile | dir> [top]
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const target = process.argv[2] ?? "bench-profile";
  const file = statSync(target).isDirectory() ? newestProfile(target) : target;
  console.log(JSON.stringify(summariseProfile(file, Number(process.argv[3] ?? 15)), null, 2));
}
