import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

// What a V8 .cpuprofile says about where the time went: each sample lands in one
// node (a function at a place in the call tree), and timeDeltas[i] is the time
// that sample i stands for. A function's self time is the sum over its nodes.

const ROOT = fileURLToPath(new URL("..", import.meta.url));

/**
 * @typedef {object} CpuProfile
 * @property {{ id: number, callFrame: { functionName: string, url: string, lineNumber: number }, children?: number[] }[]} nodes
 * @property {number[]} samples
 * @property {number[]} timeDeltas
 */

/** @param {string} file @returns {CpuProfile} */
const readProfile = (file) => JSON.parse(readFileSync(file, "utf8"));

/** @param {CpuProfile} profile @returns {Map<number, number>} self time in µs by node id */
function selfTimes(profile) {
  /** @type {Map<number, number>} */
  const selfUs = new Map();
  profile.samples.forEach((id, i) => {
    selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  return selfUs;
}

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

/** node_modules/<package>, dist/, a node core module, native code, or V8's own pseudo-functions. @param {string} url @param {string} name */
function areaOf(url, name) {
  if (url === "") return name.startsWith("(") ? "V8 (program, idle, garbage collector)" : "native (socket and file writes, JSON.parse, …)";
  const pkg = url.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/)?.[1];
  if (pkg) return pkg;
  // Node core by module family: node:internal/webstreams/readablestream → node:internal/webstreams;
  // bundled dependencies by name: node:internal/deps/undici/undici (fetch's Request) → node:internal/deps/undici.
  if (url.startsWith("node:"))
    return url
      .split("/")
      .slice(0, url.startsWith("node:internal/deps/") ? 3 : 2)
      .join("/");
  if (url.startsWith("dist/")) return "shim (dist)";
  return url;
}

/**
 * @param {string} file
 * @param {number} [top]
 * @returns {{ total_ms: number, functions: { function: string, url: string, self_ms: number, percent: number }[], areas: { area: string, self_ms: number, percent: number }[] }}
 */
export function summariseProfile(file, top = 15) {
  const profile = readProfile(file);
  const selfUs = selfTimes(profile);

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
    const area = areaOf(url, name);
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

/**
 * Where a function's self time comes from: its callers, `depth` frames up, by self time.
 * A native function such as writev says little alone; its callers say whose writes they are.
 * @param {string} file @param {string} functionName @param {number} [depth] @param {number} [top]
 */
export function callersOf(file, functionName, depth = 5, top = 5) {
  const profile = readProfile(file);
  const selfUs = selfTimes(profile);
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  /** @type {Map<number, number>} */
  const parentOf = new Map();
  for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);
  /** @type {Map<string, number>} */
  const byPath = new Map();
  for (const node of profile.nodes) {
    const us = selfUs.get(node.id) ?? 0;
    if ((node.callFrame.functionName || "(anonymous)") !== functionName || us === 0) continue;
    const frames = [];
    for (let id = parentOf.get(node.id); id !== undefined && frames.length < depth; id = parentOf.get(id)) {
      const { functionName: name, url, lineNumber } = /** @type {CpuProfile["nodes"][number]} */ (byId.get(id)).callFrame;
      frames.push(`${name || "(anonymous)"} ${shortUrl(url)}:${lineNumber + 1}`);
    }
    const path = frames.join(" < ");
    byPath.set(path, (byPath.get(path) ?? 0) + us);
  }
  return [...byPath.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([callers, us]) => ({ callers, self_ms: Math.round(us / 100) / 10 }));
}

/**
 * The time spent in a function and everything it called synchronously (work it
 * left for later, after an await, is counted elsewhere), counted once when it
 * calls itself. `urlPart` picks among functions of the same name.
 * @param {string} file @param {string} functionName @param {string} [urlPart]
 */
export function inclusiveOf(file, functionName, urlPart = "") {
  const profile = readProfile(file);
  const selfUs = selfTimes(profile);
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  /** @param {number} id @returns {number} */
  const subtree = (id) => (selfUs.get(id) ?? 0) + (byId.get(id)?.children ?? []).reduce((sum, child) => sum + subtree(child), 0);
  let totalUs = 0;
  let us = 0;
  for (const value of selfUs.values()) totalUs += value;
  /** @param {number} id */
  const walk = (id) => {
    const node = byId.get(id);
    if (!node) return;
    if ((node.callFrame.functionName || "(anonymous)") === functionName && node.callFrame.url.includes(urlPart)) us += subtree(id);
    else for (const child of node.children ?? []) walk(child);
  };
  if (profile.nodes[0]) walk(profile.nodes[0].id);
  return {
    function: functionName,
    url_part: urlPart,
    inclusive_ms: Math.round(us / 100) / 10,
    percent: Math.round((us / totalUs) * 1000) / 10,
  };
}

// Also a command: node bench/profile.mjs [file.cpuprofile | dir] [--top N | --callers FUNCTION | --inclusive FUNCTION [--url PART]]
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      top: { type: "string", default: "15" },
      callers: { type: "string" },
      inclusive: { type: "string" },
      url: { type: "string", default: "" },
    },
  });
  const target = positionals[0] ?? "bench-profile";
  const file = statSync(target).isDirectory() ? newestProfile(target) : target;
  const answer = values.callers
    ? callersOf(file, values.callers)
    : values.inclusive
      ? inclusiveOf(file, values.inclusive, values.url)
      : summariseProfile(file, Number(values.top));
  console.log(JSON.stringify(answer, null, 2));
}
