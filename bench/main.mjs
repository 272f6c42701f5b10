// npm run bench: the shim beside a bare pass-through, on loopback, against one
// cheap fake v2; then the shim alone with thousands of orders held by a slow v2.
// Exits 0 when every run worked (every request answered 201, no order lost);
// it never judges the figures themselves. See BENCHMARKS.md.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { startFakeV2 } from "./fake-v2.mjs";
import { seedOrderRequest } from "./fixtures.mjs";
import { newestProfile, summariseProfile } from "./profile.mjs";
import { formatReport, ratios, targets } from "./report.mjs";
import { readCpuMs, readMemory, sampleRss } from "./proc.mjs";
import { runAutocannon } from "./run-autocannon.mjs";
import { msUntilHealthy, startServerProcess } from "./server-process.mjs";
import { parseSettings, USAGE } from "./settings.mjs";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const SHIM_MAIN = join(ROOT, "dist/main.js");
const PASSTHROUGH = fileURLToPath(new URL("./passthrough.mjs", import.meta.url));
const FORMATS = /** @type {const} */ (["json", "xml"]);

/** @typedef {import("./run-autocannon.mjs").LoadResult} LoadResult */
/** @typedef {Omit<LoadResult, "client_cpu_percent"> & { cpu_percent: Record<string, number | null> }} Measured */
/** @typedef {import("./server-process.mjs").ServerProcess} ServerProcess */
/** @typedef {import("./fake-v2.mjs").FakeV2} FakeV2 */

/** @param {string} message */
const progress = (message) => process.stderr.write(`bench: ${message}\n`);

/** The same build as `npm run build`, so that the shim measured is this tree's. */
function build() {
  progress("building dist/");
  const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
  execFileSync(process.execPath, [tsc, "-p", "tsconfig.build.json"], { cwd: ROOT, stdio: "inherit" });
}

function machine() {
  const cpus = os.cpus();
  return {
    nproc: os.availableParallelism(),
    cpu_model: cpus[0]?.model ?? "unknown",
    memory_gib: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
  };
}

/**
 * The shim as `npm start` runs it, against the fake, with pacing off (the fake has
 * no rate limit; v2's would cap the shim at 20 orders/s) and its usual log.
 * @param {FakeV2} fake @param {string} workDir @param {string} name @param {string[]} nodeArgs
 */
function startShim(fake, workDir, name, nodeArgs = []) {
  return startServerProcess({
    name,
    args: [...nodeArgs, SHIM_MAIN],
    env: { DIGICERT_API_URL: fake.baseUrl, SHIM_V2_RATE_LIMITS: "off", LOG_LEVEL: "info", PORT: "0", HOST: "127.0.0.1" },
    logFile: join(workDir, `${name}.log`),
  });
}

async function main() {
  const settings = parseSettings(process.argv.slice(2));
  if (settings.help) {
    console.log(USAGE);
    return 0;
  }
  if (settings.build) build();

  /** @type {string[]} */
  const problems = [];
  /**
   * Every run must have been answered, with 201 only: the fake makes every order.
   * @param {string} label @param {Measured} run @param {number} [expected] exactly this many answers
   */
  const check = (label, run, expected) => {
    const others = Object.entries(run.status_counts).filter(([status]) => status !== "201");
    if (run.responses === 0) problems.push(`${label}: no answer at all`);
    if (others.length > 0) problems.push(`${label}: answers other than 201: ${JSON.stringify(Object.fromEntries(others))}`);
    if (run.socket_errors > 0) problems.push(`${label}: ${run.socket_errors} socket errors (${run.timeouts} timeouts)`);
    if (expected !== undefined && run.status_counts["201"] !== expected) problems.push(`${label}: ${run.status_counts["201"] ?? 0} x 201 of ${expected}`);
  };

  const requests = { json: seedOrderRequest("json"), xml: seedOrderRequest("xml") };
  /**
   * One autocannon run against a server, with the CPU each process used: on a
   * small machine the server, the load generator and the fake v2 (this process)
   * share the cores, and these say which of them was saturated.
   * @param {ServerProcess} server @param {Omit<import("./run-autocannon.mjs").LoadOptions, "url" | "headers" | "body">} options @param {"json" | "xml"} format
   */
  const measure = async (server, options, format) => {
    const serverCpu = readCpuMs(server.pid);
    const harnessCpu = process.cpuUsage();
    const run = await runAutocannon({ url: `${server.url}/order/code`, ...requests[format], ...options });
    const harness = process.cpuUsage(harnessCpu);
    const serverCpuAfter = readCpuMs(server.pid);
    /** @param {number | null} ms */
    const percent = (ms) => (ms === null ? null : (ms / run.elapsed_ms) * 100);
    const cpu_percent = {
      server: percent(serverCpu === null || serverCpuAfter === null ? null : serverCpuAfter - serverCpu),
      load_client: run.client_cpu_percent,
      fake_v2_and_harness: percent((harness.user + harness.system) / 1000),
    };
    const { client_cpu_percent: _, ...figures } = run;
    return { ...figures, cpu_percent };
  };
  /** @param {ServerProcess} server @param {"json" | "xml"} format @param {number} durationS @param {string} label */
  const load = async (server, format, durationS, label) => {
    progress(`${label}: ${durationS} s, ${settings.connections} connections`);
    const run = await measure(server, { connections: settings.connections, durationS }, format);
    check(label, run);
    return run;
  };

  const workDir = mkdtempSync(join(os.tmpdir(), "shim-bench-"));
  const fake = await startFakeV2({ delayMs: settings.delayMs });
  /** @type {ServerProcess[]} */
  const started = [];
  try {
    const shim = await startShim(fake, workDir, "shim");
    started.push(shim);
    const readyMs = await msUntilHealthy(shim.url, shim.startedAt);
    const idle = readMemory(shim.pid);
    const passthrough = await startServerProcess({
      name: "pass-through",
      args: [PASSTHROUGH],
      env: { UPSTREAM_ORDER_URL: fake.orderUrl, PORT: "0" },
      logFile: join(workDir, "pass-through.log"),
    });
    started.push(passthrough);

    // Both servers get their JIT warm before anything counts; the shim in both formats, since its paths differ.
    if (settings.warmupS > 0) {
      await load(passthrough, "json", settings.warmupS, "warm-up pass-through");
      for (const format of FORMATS) await load(shim, format, settings.warmupS, `warm-up shim ${format}`);
    }

    const loadRss = sampleRss(shim.pid);
    /** @type {any} */
    const runs = { passthrough: {}, shim: {} };
    for (const format of FORMATS) {
      runs.passthrough[format] = await load(passthrough, format, settings.durationS, `pass-through ${format}`);
      const rss = sampleRss(shim.pid);
      runs.shim[format] = await load(shim, format, settings.durationS, `shim ${format}`);
      runs.shim[format].rss_peak_mib = rss.stop();
    }
    const rssPeakLoad = loadRss.stop();
    const afterLoad = readMemory(shim.pid);

    progress(`slow v2: ${settings.inFlight} orders at once, v2 answers in ${settings.slowDelayMs} ms`);
    fake.setDelay(settings.slowDelayMs);
    const ordersBefore = fake.orders();
    const slowRss = sampleRss(shim.pid);
    const slowLoad = await measure(
      shim,
      {
        connections: settings.inFlight,
        amount: settings.inFlight,
        // Far beyond the delay: a request that waits this long is a failure, not a slow answer.
        timeoutS: Math.ceil(settings.slowDelayMs / 1000) + 30,
      },
      "json",
    );
    const slowPeak = slowRss.stop();
    const ordersMade = fake.orders() - ordersBefore;
    const peakInFlight = fake.peakInFlight();
    fake.setDelay(settings.delayMs);
    check("slow v2", slowLoad, settings.inFlight);
    const answered201 = slowLoad.status_counts["201"] ?? 0;
    if (ordersMade !== answered201) problems.push(`slow v2: ${ordersMade} orders made at v2 but ${answered201} answered 201`);
    const hwm = readMemory(shim.pid)?.hwmMib ?? null;

    for (const server of [shim, passthrough]) {
      const code = await server.stop();
      if (code !== 0) problems.push(`${server.logFile}: exited ${code} on SIGTERM: ${server.stderr().trim()}`);
    }

    let profile = null;
    if (settings.profileDir) {
      // A shim of its own, so that the profiler's cost stays out of the figures above.
      const dir = resolve(settings.profileDir);
      mkdirSync(dir, { recursive: true });
      const profiled = await startShim(fake, workDir, "shim-profiled", ["--cpu-prof", `--cpu-prof-dir=${dir}`]);
      started.push(profiled);
      await msUntilHealthy(profiled.url, profiled.startedAt);
      await load(profiled, "json", settings.durationS, "profiled shim json");
      // The profile is written as the process exits.
      const code = await profiled.stop();
      if (code !== 0) problems.push(`profiled shim: exited ${code}: ${profiled.stderr().trim()}`);
      const file = newestProfile(dir);
      profile = { file: file.startsWith(ROOT) ? file.slice(ROOT.length) : file, ...summariseProfile(file, 25) };
    }

    const results = {
      started_at: new Date(Date.now() - process.uptime() * 1000).toISOString(),
      finished_at: new Date().toISOString(),
      machine: machine(),
      settings: {
        duration_s: settings.durationS,
        connections: settings.connections,
        delay_ms: settings.delayMs,
        warmup_s: settings.warmupS,
        in_flight: settings.inFlight,
        slow_delay_ms: settings.slowDelayMs,
      },
      runs,
      ratios: ratios(runs),
      shim: {
        ready_ms: readyMs,
        listening_ms: shim.listeningMs,
        rss_idle_mib: idle?.rssMib ?? null,
        rss_peak_load_mib: rssPeakLoad,
        rss_after_load_mib: afterLoad?.rssMib ?? null,
        rss_hwm_mib: hwm,
      },
      slow_run: {
        in_flight: settings.inFlight,
        delay_ms: settings.slowDelayMs,
        all_201: answered201 === settings.inFlight && slowLoad.responses === settings.inFlight,
        answered_201: answered201,
        other_statuses: Object.fromEntries(Object.entries(slowLoad.status_counts).filter(([status]) => status !== "201")),
        socket_errors: slowLoad.socket_errors,
        orders_made: ordersMade,
        lost: ordersMade - answered201,
        peak_in_flight_at_v2: peakInFlight,
        total_ms: slowLoad.elapsed_ms,
        latency_ms: slowLoad.latency_ms,
        cpu_percent: slowLoad.cpu_percent,
        rss_peak_mib: slowPeak,
      },
      profile,
      ok: problems.length === 0,
      problems,
    };
    const report = { ...results, targets: targets(results) };
    writeFileSync(settings.out, `${JSON.stringify(report, null, 2)}\n`);
    console.log(formatReport(report));
    console.log(`\nfigures written to ${settings.out}`);
    if (problems.length > 0) {
      console.error(`\nbench: the benchmark did not work; logs kept in ${workDir}:\n  ${problems.join("\n  ")}`);
      return 1;
    }
    rmSync(workDir, { recursive: true, force: true });
    return 0;
  } finally {
    // After a failure, nothing may be left running.
    for (const server of started) await server.stop();
    await fake.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(`bench: ${error instanceof Error ? error.message : error}`);
    process.exit(1);
  },
);
