// The figures for people: which of the project's targets hold, and a plain-text table.
// Nothing here decides the exit code: the benchmark reports figures, it does not judge them.

/**
 * @typedef {import("./measure.mjs").Measured} Measured
 * @typedef {{ json: Measured & { rss_peak_mib: number | null }, xml: Measured & { rss_peak_mib: number | null } }} ShimRuns
 * @typedef {{ passthrough: { json: Measured, xml: Measured }, shim: ShimRuns, shim_memory: ShimRuns, shim_redis: ShimRuns }} Runs
 */

/** The order of the table's rows. */
const FORMATS_AND_TARGETS = /** @type {const} */ ([
  ["passthrough", "json"],
  ["shim_memory", "json"],
  ["shim", "json"],
  ["shim_redis", "json"],
  ["passthrough", "xml"],
  ["shim_memory", "xml"],
  ["shim", "xml"],
  ["shim_redis", "xml"],
]);

/** How the table names each target. */
const LABELS = { passthrough: "pass-through", shim_memory: "shim memory", shim: "shim sqlite", shim_redis: "shim redis" };

/** @param {number | null | undefined} value @param {number} [digits] */
const fixed = (value, digits = 1) => (value === null || value === undefined || Number.isNaN(value) ? "n/a" : value.toFixed(digits));

/** @param {{ non_2xx: number, socket_errors: number }} run */
const errorsOf = (run) => run.non_2xx + run.socket_errors;

/** @param {Pick<Measured, "cpu_percent">} run */
const cpuOf = ({ cpu_percent: cpu }) => [cpu.server, cpu.load_client, cpu.fake_v2_and_harness, cpu.other].map((p) => fixed(p, 0)).join("/");

// Above this, something besides the benchmark took a good share of a core.
const DISTURBED_OTHER_CPU = 40;

/** @param {Runs} runs */
export function ratios(runs) {
  /** @param {"json" | "xml"} format */
  const addedP50 = (format) => {
    const shim = runs.shim[format].latency_ms.p50;
    const bare = runs.passthrough[format].latency_ms.p50;
    return shim === null || bare === null ? null : shim - bare;
  };
  return {
    rps_json: runs.shim.json.requests_per_sec / runs.passthrough.json.requests_per_sec,
    rps_xml: runs.shim.xml.requests_per_sec / runs.passthrough.xml.requests_per_sec,
    added_p50_ms_json: addedP50("json"),
    added_p50_ms_xml: addedP50("xml"),
  };
}

/**
 * What the state layer costs: the shim's requests/s on SQLite (what npm start
 * runs) and on Redis, each over the shim's on memory.
 * @param {Runs} runs
 */
export function stateRatios(runs) {
  /** @param {"shim" | "shim_redis"} name @param {"json" | "xml"} format */
  const over = (name, format) => runs[name][format].requests_per_sec / runs.shim_memory[format].requests_per_sec;
  return {
    sqlite_json: over("shim", "json"),
    sqlite_xml: over("shim", "xml"),
    redis_json: over("shim_redis", "json"),
    redis_xml: over("shim_redis", "xml"),
  };
}

/**
 * The project's targets (issue 7), each with the measured value and whether it holds.
 * @param {{ ratios: ReturnType<typeof ratios>, state_ratios: ReturnType<typeof stateRatios>, shim: { ready_ms: number, rss_after_load_mib: number | null }, slow_run: { rss_peak_mib: number | null, in_flight: number } }} results
 */
export function targets(results) {
  /** @param {string} name @param {string} target @param {number | null} value @param {(v: number) => boolean} holds */
  const target = (name, target, value, holds) => ({ name, target, value, holds: value === null ? null : holds(value) });
  return [
    target("JSON requests/s, shim / pass-through", ">= 0.9", results.ratios.rps_json, (v) => v >= 0.9),
    target("XML requests/s, shim / pass-through", ">= 0.8", results.ratios.rps_xml, (v) => v >= 0.8),
    target("median latency added by the shim, JSON (ms)", "<= 0.5", results.ratios.added_p50_ms_json, (v) => v <= 0.5),
    target("median latency added by the shim, XML (ms)", "<= 0.5", results.ratios.added_p50_ms_xml, (v) => v <= 0.5),
    target("shim RSS after the load runs (MiB)", "<= 150", results.shim.rss_after_load_mib, (v) => v <= 150),
    target(
      `shim peak RSS with ${results.slow_run.in_flight} orders in flight (MiB)`,
      "<= 200",
      results.slow_run.rss_peak_mib,
      (v) => v <= 200,
    ),
    target("ready to serve (ms)", "<= 300", results.shim.ready_ms, (v) => v <= 300),
    // Issue 12: the state layer costs at most 15 % of the in-memory shim's requests/s.
    ...Object.entries(results.state_ratios).map(([key, value]) =>
      target(`requests/s, shim on ${key.replace("_", " ")} / shim on memory`, ">= 0.85", value, (v) => v >= 0.85),
    ),
  ];
}

/** @param {any} results the whole results object main.mjs writes @returns {string} */
export function formatReport(results) {
  const lines = [];
  const { runs, ratios: r, shim, slow_run: slow, settings } = results;
  lines.push(`${settings.duration_s} s per run, ${settings.connections} connections, fake v2 delay ${settings.delay_ms} ms`);
  lines.push("");
  lines.push("target        format  requests/s    p50 ms    p99 ms  errors  peak RSS MiB  CPU % server/load/fake/other");
  for (const [name, format] of FORMATS_AND_TARGETS) {
    const run = runs[name][format];
    lines.push(
      [
        LABELS[name].padEnd(13),
        format.padEnd(6),
        fixed(run.requests_per_sec).padStart(11),
        fixed(run.latency_ms.p50, 3).padStart(9),
        fixed(run.latency_ms.p99, 3).padStart(9),
        String(errorsOf(run)).padStart(7),
        ("rss_peak_mib" in run ? fixed(run.rss_peak_mib) : "").padStart(13),
        `  ${cpuOf(run)}`,
      ].join(" "),
    );
  }
  const disturbed = FORMATS_AND_TARGETS.map(([name, format]) => ({
    label: `${name} ${format}`,
    other: runs[name][format].cpu_percent.other,
  })).filter((run) => run.other !== null && run.other > DISTURBED_OTHER_CPU);
  if (disturbed.length > 0) {
    lines.push(
      `note: other work took CPU during ${disturbed.map((run) => `${run.label} (${fixed(run.other, 0)} %)`).join(", ")}: those figures are disturbed`,
    );
  }
  lines.push("");
  lines.push(`requests/s, shim / pass-through: JSON ${fixed(r.rps_json, 3)}, XML ${fixed(r.rps_xml, 3)}`);
  const st = results.state_ratios;
  lines.push(
    `requests/s, shim on a store / shim on memory: SQLite JSON ${fixed(st.sqlite_json, 3)}, XML ${fixed(st.sqlite_xml, 3)}; Redis JSON ${fixed(st.redis_json, 3)}, XML ${fixed(st.redis_xml, 3)}`,
  );
  lines.push(`median latency added by the shim: JSON ${fixed(r.added_p50_ms_json, 3)} ms, XML ${fixed(r.added_p50_ms_xml, 3)} ms`);
  lines.push(`shim ready to serve: ${fixed(shim.ready_ms)} ms (listening logged at ${fixed(shim.listening_ms)} ms)`);
  lines.push(
    `shim RSS: idle ${fixed(shim.rss_idle_mib)} MiB, peak under load ${fixed(shim.rss_peak_load_mib)} MiB, after the load runs ${fixed(shim.rss_after_load_mib)} MiB`,
  );
  lines.push("");
  lines.push(
    `slow v2 (${slow.delay_ms} ms): ${slow.in_flight} orders at once, on a fresh shim (RSS ${fixed(slow.rss_before_mib)} MiB before)`,
  );
  lines.push(
    `  all completed with 201: ${slow.all_201 ? "yes" : "no"} (${slow.answered_201} x 201, other ${JSON.stringify(slow.other_statuses)}, socket errors ${slow.socket_errors})`,
  );
  lines.push(`  orders made at v2 ${slow.orders_made}, lost ${slow.lost}, most in flight at v2 at once ${slow.peak_in_flight_at_v2}`);
  lines.push(
    `  total time ${fixed(slow.total_ms, 0)} ms, p50 ${fixed(slow.latency_ms.p50, 1)} ms, p99 ${fixed(slow.latency_ms.p99, 1)} ms, shim peak RSS ${fixed(slow.rss_peak_mib)} MiB, CPU % ${cpuOf(slow)}`,
  );
  lines.push("");
  lines.push("targets:");
  for (const t of results.targets) {
    lines.push(`  ${t.holds === null ? "n/a " : t.holds ? "holds" : "MISSED"}  ${t.name}: ${fixed(t.value, 3)} (target ${t.target})`);
  }
  if (results.profile) {
    lines.push("");
    lines.push(`profile (${results.profile.file}), top self time of ${fixed(results.profile.total_ms, 0)} ms:`);
    for (const f of results.profile.functions.slice(0, 10)) {
      lines.push(`  ${fixed(f.self_ms).padStart(8)} ms ${fixed(f.percent).padStart(5)} %  ${f.function}  ${f.url}`);
    }
    lines.push("by area:");
    for (const a of results.profile.areas.slice(0, 10)) {
      lines.push(`  ${fixed(a.self_ms).padStart(8)} ms ${fixed(a.percent).padStart(5)} %  ${a.area}`);
    }
  }
  return lines.join("\n");
}
