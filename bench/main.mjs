// npm run bench: the shim on each of its state stores (SQLite as npm start runs it,
// memory, and Redis when installed) beside a bare pass-through, a pass-through that
// logs the shim's line and the nginx + njs peer (when installed), on loopback,
// against one cheap fake v2; then a fresh shim with thousands of orders held by a slow v2.
// Exits 0 when every run worked (every request answered 201, no order lost);
// it never judges the figures themselves. See docs/performance.md.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { startFakeV2 } from "./fake-v2.mjs";
import { seedOrderRequest, variedOrderRequest } from "./fixtures.mjs";
import { combineRounds, measure } from "./measure.mjs";
import { findNginxNjs, startNginxPeer } from "./nginx-peer.mjs";
import { comparePeer } from "./peer-check.mjs";
import { pin, serverCpu } from "./pinning.mjs";
import { readCpuMs, readMemory, sampleRss } from "./proc.mjs";
import { newestProfile, summariseProfile } from "./profile.mjs";
import { formatReport, ratios, stateRatios, targets } from "./report.mjs";
import { msUntilHealthy, startServerProcess } from "./server-process.mjs";
import { parseSettings, USAGE } from "./settings.mjs";
import { sqliteState, startRedisStore } from "./state-stores.mjs";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
// The shim is measured as npm start runs it: node, its flags and the script, from
// package.json's start script (its prestart build is the bench's own build step).
const START = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"))
  .scripts.start.split(/\s+/)
  .slice(1);
const SHIM_ARGS = START.map((/** @type {string} */ arg) => (arg.startsWith("-") ? arg : join(ROOT, arg)));
const PASSTHROUGH = fileURLToPath(new URL("./passthrough.mjs", import.meta.url));
const FORMATS = /** @type {const} */ (["json", "xml"]);
// Every request of a load is a new order: the same seed order, a fresh id in each (see fixtures.mjs).
const REQUESTS = { json: variedOrderRequest("json"), xml: variedOrderRequest("xml") };

/**
 * @typedef {import("./measure.mjs").Measured} Measured
 * @typedef {import("./report.mjs").Runs} Runs
 * @typedef {import("./server-process.mjs").ServerProcess} ServerProcess
 * @typedef {import("./settings.mjs").Settings} Settings
 * @typedef {object} Bench
 * @property {Settings} settings
 * @property {import("./fake-v2.mjs").FakeV2} fake
 * @property {string} workDir
 * @property {number | undefined} cpu the CPU the compared servers are pinned to
 * @property {import("./nginx-peer.mjs").NginxNjs} nginx
 * @property {{ store: import("./state-stores.mjs").RedisStore, server: import("./redis-server.mjs").RedisServer | null }} redis
 * @property {ServerProcess[]} started
 * @property {string[]} problems
 */

/** @param {string} message */
const progress = (message) => process.stderr.write(`bench: ${message}\n`);

/** The same build as `npm run build`, so that the shim measured is this tree's. */
function build() {
  progress("building dist/");
  execFileSync("npm", ["run", "--silent", "build"], { cwd: ROOT, stdio: "inherit" });
}

function machine() {
  return {
    nproc: os.availableParallelism(),
    cpu_model: os.cpus()[0]?.model ?? "unknown",
    memory_gib: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
  };
}

/**
 * Every run must have been answered, with 201 only: the fake makes every order.
 * @param {Bench} bench @param {string} label @param {Measured} run @param {number} [expected] exactly this many answers
 */
function check(bench, label, run, expected) {
  const others = Object.entries(run.status_counts).filter(([status]) => status !== "201");
  if (run.responses === 0) bench.problems.push(`${label}: no answer at all`);
  if (others.length > 0) bench.problems.push(`${label}: answers other than 201: ${JSON.stringify(Object.fromEntries(others))}`);
  if (run.socket_errors > 0) bench.problems.push(`${label}: ${run.socket_errors} socket errors (${run.timeouts} timeouts)`);
  if (expected !== undefined && run.status_counts["201"] !== expected) {
    bench.problems.push(`${label}: ${run.status_counts["201"] ?? 0} x 201 of ${expected}`);
  }
}

/**
 * A server process that `main` stops, whatever happens.
 * @param {Bench} bench @param {Parameters<typeof startServerProcess>[0]} options
 */
async function start(bench, options) {
  const server = await startServerProcess(options);
  bench.started.push(server);
  return server;
}

/** @param {Bench} bench @param {ServerProcess} server */
async function stop(bench, server) {
  const code = await server.stop();
  if (code !== 0) bench.problems.push(`${server.logFile}: exited ${code} on SIGTERM: ${server.stderr().trim()}`);
}

/**
 * The shim as `npm start` runs it, against the fake, with pacing off (the fake has
 * no rate limit; v2's would cap the shim at 20 orders/s) and its usual log; its
 * retry window on, as by default (each order of a load is a new one); its state in
 * SQLite, as by default, unless `state` names another store.
 * @param {Bench} bench @param {string} name @param {{ nodeArgs?: string[], state?: string, env?: Record<string, string> }} [options]
 */
function startShim(bench, name, { nodeArgs = [], state = sqliteState(bench.workDir, name), env = {} } = {}) {
  return start(bench, {
    name,
    args: [...nodeArgs, ...SHIM_ARGS],
    env: {
      DIGICERT_API_URL: bench.fake.baseUrl,
      SHIM_V2_RATE_LIMITS: "off",
      SHIM_STATE: state,
      LOG_LEVEL: "info",
      PORT: "0",
      HOST: "127.0.0.1",
      ...env,
    },
    logFile: join(bench.workDir, `${name}.log`),
  });
}

/**
 * One load run: for `durationS`, or, with --requests, exactly that many requests. A
 * timed run counts only the answers that came before its end: on a busy machine a
 * short one (a second, its server pinned to a CPU a busy loop shares) can end before
 * the first answer, while the server answers. A counted run waits for every answer
 * (each bounded by autocannon's timeout), so what it checks cannot be starved.
 * @param {Bench} bench @param {ServerProcess} server @param {"json" | "xml"} format @param {number} durationS @param {string} label
 * @param {number} [connections]
 */
async function load(bench, server, format, durationS, label, connections = bench.settings.connections) {
  const { requests } = bench.settings;
  const length = requests === undefined ? { durationS } : { amount: requests };
  progress(`${label}: ${requests === undefined ? `${durationS} s` : `${requests} requests`}, ${connections} connections`);
  const ordersBefore = bench.fake.orders();
  const run = await measure(server, { url: `${server.url}/order/code`, ...REQUESTS[format], connections, ...length });
  check(bench, label, run);
  // Each request a new order: one answered without one (as a retry of another) would not have cost its order,
  // and show as fewer orders than 201s. (More is no sign of anything: the requests in flight when a run ends, its
  // own or the run's before, make theirs unanswered.)
  const made = bench.fake.orders() - ordersBefore;
  const answered = run.status_counts["201"] ?? 0;
  if (made < answered) bench.problems.push(`${label}: ${answered} x 201 but only ${made} orders made`);
  return run;
}

/**
 * Where the shim's log and the logging pass-through's part: the keys of the last
 * request line of each, when they differ (the pass-through must write the shim's line).
 * @param {string} shimLog @param {string} passthroughLog @returns {string | null}
 */
function logLineDifference(shimLog, passthroughLog) {
  /** @param {string} file @returns {string[]} */
  const keys = (file) => {
    const line = readFileSync(file, "utf8")
      .trimEnd()
      .split("\n")
      .findLast((l) => l.includes('"msg":"request"'));
    return line ? Object.keys(JSON.parse(line)) : [];
  };
  const [shim, passthrough] = [keys(shimLog), keys(passthroughLog)];
  if (shim.join() === passthrough.join()) return null;
  return `the logging pass-through's line no longer has the shim's keys: the shim's ${JSON.stringify(shim)}, the pass-through's ${JSON.stringify(passthrough)}`;
}

/**
 * Which store a shim said it uses (its "listening" line's `state`). A shim that
 * lost its store meanwhile served on without it (it fails open): then its figures
 * are not the store's, and that is a problem.
 * @param {Bench} bench @param {ServerProcess} shim @returns {string | null}
 */
function storeUsed(bench, shim) {
  const lines = readFileSync(shim.logFile, "utf8").split("\n");
  if (lines.some((line) => line.includes("the state store cannot be reached"))) {
    bench.problems.push(`${shim.logFile}: the shim lost its state store during the runs`);
  }
  const listening = lines.find((line) => line.includes('"msg":"listening"'));
  return listening ? (JSON.parse(listening).state ?? null) : null;
}

/**
 * The servers under the same load, each pinned to the same CPU: the bare and the
 * logging pass-through, the nginx + njs peer when installed, and the shim on each
 * state store (memory, SQLite as npm start runs it, Redis when it started); JSON,
 * and XML for the bare pass-through and the shims (the others read no XML or
 * ignore it). Every round runs each once, interleaved, so that a disturbance of the
 * shared machine falls on every server alike; the figures are the medians.
 * @param {Bench} bench
 */
async function comparison(bench) {
  const { settings, cpu } = bench;
  /** @param {ServerProcess} server */
  const pinned = (server) => {
    if (cpu !== undefined) pin(server.pid, cpu);
    return server;
  };
  /** @param {import("./server-process.mjs").ServerOptions} options */
  const startPinned = async (options) => pinned(await start(bench, options));
  const shim = await startShim(bench, "shim");
  const readyMs = await msUntilHealthy(shim.url, shim.startedAt);
  const idle = readMemory(shim.pid);
  pinned(shim);
  /** @param {string} name @param {string} state @param {Record<string, string>} [env] */
  const startShimPinned = async (name, state, env) => pinned(await startShim(bench, name, { state, env }));
  const shimMemory = await startShimPinned("shim-memory", "memory");
  // What the retry window costs: the default store with it off, beside the shim as npm start runs it.
  const shimWindowOff = await startShimPinned("shim-window-off", sqliteState(bench.workDir, "shim-window-off"), {
    SHIM_RETRY_WINDOW_MS: "0",
  });
  const redisStore = bench.redis.store;
  if (!redisStore.available) progress(`the shim on Redis is not run: ${redisStore.reason}`);
  const shimRedis = redisStore.available ? await startShimPinned("shim-redis", redisStore.url) : null;
  /** @param {string} name @param {Record<string, string>} env */
  const startPassthrough = (name, env) =>
    startPinned({
      name,
      args: [PASSTHROUGH],
      env: { UPSTREAM_ORDER_URL: bench.fake.orderUrl, PORT: "0", ...env },
      logFile: join(bench.workDir, `${name}.log`),
    });
  const passthrough = await startPassthrough("pass-through", {});
  const logged = await startPassthrough("logging-pass-through", { PASSTHROUGH_LOG: "pino" });
  /** @type {ServerProcess | null} */
  let nginx = null;
  if (!bench.nginx.available) progress(`the nginx + njs peer is not run: ${bench.nginx.reason}`);
  else {
    try {
      nginx = await startNginxPeer({ dir: join(bench.workDir, "nginx"), v2BaseUrl: bench.fake.baseUrl, start: startPinned });
    } catch (error) {
      bench.problems.push(`the nginx + njs peer did not start: ${error instanceof Error ? error.message : error}`);
    }
  }

  /** @type {{ cases: number, differences: string[] } | null} */
  let peerCheck = null;
  if (nginx) {
    progress("nginx + njs: checking that it answers and orders as the shim does");
    peerCheck = await comparePeer({ fake: bench.fake, shimUrl: shim.url, peerUrl: nginx.url, request: seedOrderRequest("json") });
    for (const difference of peerCheck.differences) bench.problems.push(`the nginx + njs peer differs from the shim: ${difference}`);
  }

  const JSON_ONLY = /** @type {const} */ (["json"]);
  /** @type {{ key: keyof Runs, label: string, server: ServerProcess, formats: readonly ("json" | "xml")[] }[]} */
  const servers = [
    { key: "passthrough", label: "pass-through", server: passthrough, formats: FORMATS },
    { key: "passthrough_logged", label: "logging pass-through", server: logged, formats: JSON_ONLY },
    ...(nginx ? [{ key: /** @type {const} */ ("nginx_njs"), label: "nginx + njs", server: nginx, formats: JSON_ONLY }] : []),
    { key: "shim_memory", label: "shim on memory", server: shimMemory, formats: FORMATS },
    { key: "shim", label: "shim on SQLite", server: shim, formats: FORMATS },
    { key: "shim_window_off", label: "shim on SQLite, no window", server: shimWindowOff, formats: JSON_ONLY },
    ...(shimRedis ? [{ key: /** @type {const} */ ("shim_redis"), label: "shim on Redis", server: shimRedis, formats: FORMATS }] : []),
  ];
  const SHIMS = /** @type {const} */ (["shim_memory", "shim", "shim_redis"]);

  // Every server gets its JIT warm before anything counts; the shims in both formats, since their paths differ.
  if (settings.warmupS > 0) {
    for (const { label, server, formats } of servers) {
      for (const format of formats) await load(bench, server, format, settings.warmupS, `warm-up ${label} ${format}`);
    }
  }

  const loadRss = sampleRss(shim.pid);
  /** @type {Map<string, Measured[]>} */
  const measured = new Map();
  /** @type {Map<string, number | null>} each shim's peak RSS per format, by `key format` */
  const rssPeaks = new Map();
  // redis-server runs unpinned, outside the shim's process: its CPU for the shim on Redis is counted apart.
  const redisCpu = { json: { ms: 0, responses: 0 }, xml: { ms: 0, responses: 0 } };
  const redisPid = bench.redis.server?.pid();
  for (let round = 1; round <= settings.rounds; round++) {
    for (const format of FORMATS) {
      for (const { key, label, server, formats } of servers) {
        if (!formats.includes(format)) continue;
        const id = `${key} ${format}`;
        const rss = SHIMS.some((name) => name === key) ? sampleRss(server.pid) : null;
        const redisBefore = key === "shim_redis" && redisPid !== undefined ? readCpuMs(redisPid) : null;
        const run = await load(bench, server, format, settings.durationS, `round ${round}/${settings.rounds}: ${label} ${format}`);
        const redisAfter = redisBefore === null || redisPid === undefined ? null : readCpuMs(redisPid);
        if (redisBefore !== null && redisAfter !== null) {
          redisCpu[format].ms += redisAfter - redisBefore;
          redisCpu[format].responses += run.responses;
        }
        const peak = rss?.stop() ?? null;
        if (peak !== null) rssPeaks.set(id, Math.max(rssPeaks.get(id) ?? 0, peak));
        measured.set(id, [...(measured.get(id) ?? []), run]);
      }
    }
  }
  const rssPeak = loadRss.stop();
  const after = readMemory(shim.pid);
  // One connection: how much later than a pass-through's the shim's answer comes, the work of each order alone.
  /** @type {Record<"passthrough" | "shim", number | null>} */
  const oneConnectionP50 = { passthrough: null, shim: null };
  for (const [key, server] of /** @type {const} */ ([
    ["passthrough", passthrough],
    ["shim", shim],
  ])) {
    const run = await load(bench, server, "json", settings.durationS, `one connection: ${key} json`, 1);
    oneConnectionP50[key] = run.latency_ms.p50;
  }
  for (const { server } of servers) await stop(bench, server);

  /** @param {keyof Runs} key @param {"json" | "xml"} format */
  const combined = (key, format) => combineRounds(measured.get(`${key} ${format}`) ?? []);
  /** @param {"shim" | "shim_memory" | "shim_redis"} key */
  const shimRuns = (key) => ({
    json: { ...combined(key, "json"), rss_peak_mib: rssPeaks.get(`${key} json`) ?? null },
    xml: { ...combined(key, "xml"), rss_peak_mib: rssPeaks.get(`${key} xml`) ?? null },
  });
  /** @param {"json" | "xml"} format @returns {number | null} */
  const redisCpuUs = (format) => (redisCpu[format].responses === 0 ? null : (redisCpu[format].ms * 1000) / redisCpu[format].responses);
  const redisRuns = shimRedis ? shimRuns("shim_redis") : null;
  /** @type {Runs} */
  const runs = {
    passthrough: { json: combined("passthrough", "json"), xml: combined("passthrough", "xml") },
    passthrough_logged: { json: combined("passthrough_logged", "json") },
    nginx_njs: nginx ? { json: combined("nginx_njs", "json") } : null,
    shim_memory: shimRuns("shim_memory"),
    shim: shimRuns("shim"),
    shim_window_off: { json: combined("shim_window_off", "json") },
    shim_redis: redisRuns && {
      json: { ...redisRuns.json, redis_server_cpu_us_per_request: redisCpuUs("json") },
      xml: { ...redisRuns.xml, redis_server_cpu_us_per_request: redisCpuUs("xml") },
    },
  };
  const logDifference = logLineDifference(shim.logFile, logged.logFile);
  const storesUsed = {
    shim: storeUsed(bench, shim),
    shim_memory: storeUsed(bench, shimMemory),
    shim_window_off: storeUsed(bench, shimWindowOff),
    shim_redis: shimRedis && storeUsed(bench, shimRedis),
  };

  return {
    runs,
    peer_check: peerCheck,
    stores_used: storesUsed,
    notes: logDifference ? [logDifference] : [],
    one_connection_p50_ms: oneConnectionP50,
    shim: {
      ready_ms: readyMs,
      listening_ms: shim.listeningMs,
      rss_idle_mib: idle?.rssMib ?? null,
      rss_peak_load_mib: rssPeak,
      rss_after_load_mib: after?.rssMib ?? null,
      rss_hwm_mib: after?.hwmMib ?? null,
    },
  };
}

/**
 * Thousands of orders in flight at once while v2 takes its time. A fresh shim, so
 * that its memory is what the orders in flight cost, not what the heap kept from
 * the load runs (V8 gives little back).
 * @param {Bench} bench
 */
async function slowRun(bench) {
  const { settings, fake } = bench;
  progress(`slow v2: ${settings.inFlight} orders at once, v2 answers in ${settings.slowDelayMs} ms`);
  const shim = await startShim(bench, "shim-slow-v2");
  await msUntilHealthy(shim.url, shim.startedAt);
  const before = readMemory(shim.pid);
  fake.setDelay(settings.slowDelayMs);
  const ordersBefore = fake.orders();
  const rss = sampleRss(shim.pid);
  const run = await measure(shim, {
    url: `${shim.url}/order/code`,
    ...REQUESTS.json,
    connections: settings.inFlight,
    amount: settings.inFlight,
    // Far beyond the delay: a request that waits this long is a failure, not a slow answer.
    timeoutS: Math.ceil(settings.slowDelayMs / 1000) + 30,
  });
  const rssPeak = rss.stop();
  const ordersMade = fake.orders() - ordersBefore;
  const peakInFlight = fake.peakInFlight();
  fake.setDelay(settings.delayMs);
  await stop(bench, shim);

  check(bench, "slow v2", run, settings.inFlight);
  const answered201 = run.status_counts["201"] ?? 0;
  if (ordersMade !== answered201) bench.problems.push(`slow v2: ${ordersMade} orders made at v2 but ${answered201} answered 201`);
  return {
    in_flight: settings.inFlight,
    delay_ms: settings.slowDelayMs,
    all_201: answered201 === settings.inFlight && run.responses === settings.inFlight,
    answered_201: answered201,
    other_statuses: Object.fromEntries(Object.entries(run.status_counts).filter(([status]) => status !== "201")),
    socket_errors: run.socket_errors,
    orders_made: ordersMade,
    lost: ordersMade - answered201,
    peak_in_flight_at_v2: peakInFlight,
    total_ms: run.elapsed_ms,
    latency_ms: run.latency_ms,
    cpu_percent: run.cpu_percent,
    rss_before_mib: before?.rssMib ?? null,
    rss_peak_mib: rssPeak,
  };
}

/**
 * One JSON load run on a shim of its own under node --cpu-prof, so that the
 * profiler's cost stays out of the figures; the profile is written as it exits.
 * @param {Bench} bench @param {string} profileDir
 */
async function profileRun(bench, profileDir) {
  const dir = resolve(profileDir);
  mkdirSync(dir, { recursive: true });
  const shim = await startShim(bench, "shim-profiled", { nodeArgs: ["--cpu-prof", `--cpu-prof-dir=${dir}`] });
  await msUntilHealthy(shim.url, shim.startedAt);
  await load(bench, shim, "json", bench.settings.durationS, "profiled shim json");
  await stop(bench, shim);
  const file = newestProfile(dir);
  return { file: file.startsWith(ROOT) ? file.slice(ROOT.length) : file, ...summariseProfile(file, 25) };
}

async function main() {
  const startedAt = new Date();
  const settings = parseSettings(process.argv.slice(2));
  if (settings.help) {
    console.log(USAGE);
    return 0;
  }
  if (settings.build) build();

  const pinning = serverCpu(settings.cpu);
  progress(pinning.note);
  const redis = await startRedisStore();
  /** @type {Bench} */
  const bench = {
    settings,
    fake: await startFakeV2({ delayMs: settings.delayMs }),
    workDir: mkdtempSync(join(os.tmpdir(), "shim-bench-")),
    cpu: pinning.cpu,
    nginx: findNginxNjs(),
    redis,
    started: [],
    problems: redis.problem ? [redis.problem] : [],
  };
  try {
    const { runs, peer_check, stores_used, notes, shim, one_connection_p50_ms } = await comparison(bench);
    const slow_run = await slowRun(bench);
    const profile = settings.profileDir ? await profileRun(bench, settings.profileDir) : null;

    const results = {
      started_at: startedAt.toISOString(),
      finished_at: new Date().toISOString(),
      machine: machine(),
      settings: {
        duration_s: settings.requests === undefined ? settings.durationS : null,
        requests_per_run: settings.requests ?? null,
        connections: settings.connections,
        delay_ms: settings.delayMs,
        warmup_s: settings.warmupS,
        rounds: settings.rounds,
        server_cpu: pinning.cpu ?? null,
        pinning: pinning.note,
        load_generator: "autocannon 9, in a process of its own (bench/load-client.mjs)",
        in_flight: settings.inFlight,
        slow_delay_ms: settings.slowDelayMs,
      },
      peers: { nginx_njs: { ...bench.nginx, check: peer_check } },
      stores: { redis: redis.store, used: stores_used },
      runs,
      ratios: ratios(runs, one_connection_p50_ms),
      state_ratios: stateRatios(runs),
      one_connection_p50_ms,
      shim,
      slow_run,
      profile,
      ok: bench.problems.length === 0,
      problems: bench.problems,
      notes,
    };
    const report = { ...results, targets: targets(results) };
    writeFileSync(settings.out, `${JSON.stringify(report, null, 2)}\n`);
    console.log(formatReport(report));
    console.log(`\nfigures written to ${settings.out}`);
    if (bench.problems.length > 0) {
      console.error(`\nbench: the benchmark did not work; logs kept in ${bench.workDir}:\n  ${bench.problems.join("\n  ")}`);
      return 1;
    }
    rmSync(bench.workDir, { recursive: true, force: true });
    return 0;
  } finally {
    // After a failure, nothing may be left running.
    for (const server of bench.started) await server.stop();
    await bench.fake.close();
    await redis.server?.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(`bench: ${error instanceof Error ? error.message : error}`);
    process.exit(1);
  },
);
