// The figures for people: which of the project's targets hold, and a plain-text table.
// Nothing here decides the exit code: the benchmark reports figures, it does not judge them.

/**
 * @typedef {import("./measure.mjs").Combined} Combined
 * @typedef {Combined & { rss_peak_mib: number | null }} ShimRun
 * @typedef {ShimRun & { redis_server_cpu_us_per_request: number | null }} RedisShimRun redis-server's CPU per answer, over every round
 * @typedef {object} Runs
 * @property {{ json: Combined, xml: Combined }} passthrough the bare pass-through
 * @property {{ json: Combined }} passthrough_logged the pass-through that writes the shim's log line
 * @property {{ json: Combined } | null} nginx_njs the nginx + njs peer; null when not run
 * @property {{ json: ShimRun, xml: ShimRun }} shim the shim as npm start runs it: its state in SQLite
 * @property {{ json: ShimRun, xml: ShimRun }} shim_memory the shim with SHIM_STATE=memory
 * @property {{ json: Combined }} shim_window_off the shim on SQLite with SHIM_RETRY_WINDOW_MS=0: what the window costs
 * @property {{ json: RedisShimRun, xml: RedisShimRun } | null} shim_redis the shim on Redis; null when not run
 */

/** The table's rows, in order, with their labels. */
const ROWS = /** @type {const} */ ([
  ["passthrough", "json", "pass-through"],
  ["passthrough_logged", "json", "logging pass-through"],
  ["nginx_njs", "json", "nginx + njs"],
  ["shim_memory", "json", "shim on memory"],
  ["shim", "json", "shim on SQLite"],
  ["shim_window_off", "json", "…without the window"],
  ["shim_redis", "json", "shim on Redis"],
  ["passthrough", "xml", "pass-through"],
  ["shim_memory", "xml", "shim on memory"],
  ["shim", "xml", "shim on SQLite"],
  ["shim_redis", "xml", "shim on Redis"],
]);

/** @param {number | null | undefined} value @param {number} [digits] */
const fixed = (value, digits = 1) => (value === null || value === undefined || Number.isNaN(value) ? "n/a" : value.toFixed(digits));

/** @param {{ non_2xx: number, socket_errors: number }} run */
const errorsOf = (run) => run.non_2xx + run.socket_errors;

/** @param {Pick<Combined, "cpu_percent">} run */
const cpuOf = ({ cpu_percent: cpu }) => [cpu.server, cpu.load_client, cpu.fake_v2_and_harness, cpu.other].map((p) => fixed(p, 0)).join("/");

// Above this, something besides the benchmark took a good share of a core.
const DISTURBED_OTHER_CPU = 40;

/** @param {number | null | undefined} a @param {number | null | undefined} b @returns {number | null} a / b */
const ratio = (a, b) => (a === null || a === undefined || b === null || b === undefined || b === 0 ? null : a / b);

/** @param {Runs} runs @param {{ passthrough: number | null, shim: number | null }} oneConnection the p50 at one connection, ms */
export function ratios(runs, oneConnection) {
  /** @param {"json" | "xml"} format */
  const addedP50 = (format) => {
    const shim = runs.shim[format].latency_ms.p50;
    const bare = runs.passthrough[format].latency_ms.p50;
    return shim === null || bare === null ? null : shim - bare;
  };
  const bare = runs.passthrough;
  const logged = runs.passthrough_logged.json;
  const nginx = runs.nginx_njs?.json;
  const { json, xml } = runs.shim;
  return {
    // Issue 17's ratios: requests/s of the shim over the others', in the same run.
    rps_json: ratio(json.requests_per_sec, bare.json.requests_per_sec),
    rps_xml: ratio(xml.requests_per_sec, bare.xml.requests_per_sec),
    rps_json_vs_nginx_njs: ratio(json.requests_per_sec, nginx?.requests_per_sec),
    // The others against the bare pass-through, as issue 17's table has them.
    rps_passthrough_logged: ratio(logged.requests_per_sec, bare.json.requests_per_sec),
    rps_nginx_njs: ratio(nginx?.requests_per_sec, bare.json.requests_per_sec),
    // The same ratios from CPU per request (the other's over the shim's): steadier on a busy machine.
    by_cpu_json: ratio(bare.json.cpu_us_per_request, json.cpu_us_per_request),
    by_cpu_xml: ratio(bare.xml.cpu_us_per_request, xml.cpu_us_per_request),
    by_cpu_json_vs_nginx_njs: ratio(nginx?.cpu_us_per_request, json.cpu_us_per_request),
    // What writing the shim's log line costs a proxy, in CPU µs per request.
    log_line_cpu_us:
      logged.cpu_us_per_request === null || bare.json.cpu_us_per_request === null
        ? null
        : logged.cpu_us_per_request - bare.json.cpu_us_per_request,
    added_p50_ms_json: addedP50("json"),
    added_p50_ms_xml: addedP50("xml"),
    // Issue 26's: CPU per order against the nginx + njs peer, the window's cost, XML against JSON, one connection's p50.
    cpu_sqlite_vs_nginx_njs: ratio(json.cpu_us_per_request, nginx?.cpu_us_per_request),
    cpu_memory_vs_nginx_njs: ratio(runs.shim_memory.json.cpu_us_per_request, nginx?.cpu_us_per_request),
    cpu_window_on_vs_off: ratio(json.cpu_us_per_request, runs.shim_window_off.json.cpu_us_per_request),
    cpu_xml_vs_json: ratio(xml.cpu_us_per_request, json.cpu_us_per_request),
    cpu_redis_vs_sqlite: ratio(runs.shim_redis?.json.cpu_us_per_request, json.cpu_us_per_request),
    one_connection_added_p50_ms:
      oneConnection.shim === null || oneConnection.passthrough === null ? null : oneConnection.shim - oneConnection.passthrough,
  };
}

/**
 * What the state layer costs (issue 12): the shim on SQLite (what npm start runs)
 * and on Redis against the shim on memory, per format; from requests/s (the
 * store's over memory's) and from CPU per order (memory's over the store's, so
 * that both read as "the share of the in-memory shim's throughput left"). The
 * by_cpu figures are the shim process's only; `_with_server` adds redis-server's
 * CPU per answer to the Redis shim's, as it would be on a machine of one core.
 * @param {Runs} runs
 */
export function stateRatios(runs) {
  const memory = runs.shim_memory;
  /** @param {{ json: ShimRun, xml: ShimRun } | null} store @param {"json" | "xml"} format */
  const rps = (store, format) => ratio(store?.[format].requests_per_sec, memory[format].requests_per_sec);
  /** @param {{ json: ShimRun, xml: ShimRun } | null} store @param {"json" | "xml"} format */
  const byCpu = (store, format) => ratio(memory[format].cpu_us_per_request, store?.[format].cpu_us_per_request);
  /** @param {"json" | "xml"} format */
  const withServer = (format) => {
    const redis = runs.shim_redis?.[format];
    const shim = redis?.cpu_us_per_request;
    const server = redis?.redis_server_cpu_us_per_request;
    return ratio(
      memory[format].cpu_us_per_request,
      shim === null || shim === undefined || server === null || server === undefined ? null : shim + server,
    );
  };
  return {
    sqlite_json: rps(runs.shim, "json"),
    sqlite_xml: rps(runs.shim, "xml"),
    redis_json: rps(runs.shim_redis, "json"),
    redis_xml: rps(runs.shim_redis, "xml"),
    by_cpu_sqlite_json: byCpu(runs.shim, "json"),
    by_cpu_sqlite_xml: byCpu(runs.shim, "xml"),
    by_cpu_redis_json: byCpu(runs.shim_redis, "json"),
    by_cpu_redis_xml: byCpu(runs.shim_redis, "xml"),
    by_cpu_redis_with_server_json: withServer("json"),
    by_cpu_redis_with_server_xml: withServer("xml"),
  };
}

/**
 * The project's targets (issues 26 and 21, the shim close to its floor; and the start's, issue 17), each with the
 * measured value and whether it holds; null when it could not be measured (no nginx + njs peer, no Redis).
 * @param {{ ratios: ReturnType<typeof ratios>, shim: { ready_ms: number, rss_after_load_mib: number | null }, slow_run: { rss_peak_mib: number | null, in_flight: number } }} results
 */
export function targets(results) {
  /** @param {string} name @param {string} target @param {number | null} value @param {(v: number) => boolean} holds */
  const target = (name, target, value, holds) => ({ name, target, value, holds: value === null ? null : holds(value) });
  const r = results.ratios;
  return [
    target("JSON CPU per order, shim on SQLite / nginx + njs", "<= 1.3", r.cpu_sqlite_vs_nginx_njs, (v) => v <= 1.3),
    target("JSON CPU per order, shim on memory / nginx + njs", "<= 1.0", r.cpu_memory_vs_nginx_njs, (v) => v <= 1.0),
    target("CPU per order, retry window on / off (SQLite, JSON)", "<= 1.1", r.cpu_window_on_vs_off, (v) => v <= 1.1),
    target("CPU per order, XML / JSON (SQLite)", "<= 1.1", r.cpu_xml_vs_json, (v) => v <= 1.1),
    target("shim CPU per order, Redis / SQLite (JSON; redis-server apart)", "<= 1.3", r.cpu_redis_vs_sqlite, (v) => v <= 1.3),
    target("p50 at one connection, shim - bare pass-through (ms)", "<= 0.5", r.one_connection_added_p50_ms, (v) => v <= 0.5),
    target(
      `shim peak RSS with ${results.slow_run.in_flight} orders in flight (MiB)`,
      "<= 180",
      results.slow_run.rss_peak_mib,
      (v) => v <= 180,
    ),
    target("shim RSS after the load runs (MiB)", "<= 150", results.shim.rss_after_load_mib, (v) => v <= 150),
    target("ready to serve (ms)", "<= 300", results.shim.ready_ms, (v) => v <= 300),
  ];
}

/** @param {any} results the whole results object main.mjs writes @returns {string} */
export function formatReport(results) {
  const lines = [];
  const { runs, ratios: r, state_ratios: st, shim, slow_run: slow, settings, peers, stores } = results;
  /** @type {Record<string, string>} why a server was not run */
  const notRun = { nginx_njs: peers.nginx_njs.reason, shim_redis: stores.redis.reason };
  lines.push(
    `${settings.rounds} round(s) of ${settings.requests_per_run === null ? `${settings.duration_s} s` : `${settings.requests_per_run} requests`} per run, ${settings.connections} connections, fake v2 delay ${settings.delay_ms} ms; ${settings.pinning}; load: ${settings.load_generator}`,
  );
  lines.push(
    `figures are the medians over the rounds; CPU µs/req is the server's CPU time (/proc) per answer; × peer, that over the nginx + njs peer's; every request a new order (a fresh id in its body)`,
  );
  if (stores.redis.available) lines.push(`the shim on Redis: redis-server ${stores.redis.version}, ${stores.redis.appendfsync}`);
  lines.push("");
  const peerCpu = runs.nginx_njs?.json.cpu_us_per_request ?? null;
  lines.push(
    "server                format  requests/s  CPU µs/req  × peer    p50 ms    p99 ms  errors  peak RSS MiB  CPU % server/load/fake/other",
  );
  for (const [name, format, label] of ROWS) {
    /** @type {(Combined & { rss_peak_mib?: number | null }) | undefined} */
    const run = runs[name]?.[format];
    const head = `${label.padEnd(21)} ${format.padEnd(6)}`;
    if (!run) {
      lines.push(`${head} not run: ${notRun[name] ?? "it did not start"}`);
      continue;
    }
    lines.push(
      [
        head,
        fixed(run.requests_per_sec).padStart(11),
        fixed(run.cpu_us_per_request).padStart(11),
        fixed(ratio(run.cpu_us_per_request, peerCpu), 2).padStart(7),
        fixed(run.latency_ms.p50, 3).padStart(9),
        fixed(run.latency_ms.p99, 3).padStart(9),
        String(errorsOf(run)).padStart(7),
        (run.rss_peak_mib === undefined ? "" : fixed(run.rss_peak_mib)).padStart(13),
        `  ${cpuOf(run)}`,
      ].join(" "),
    );
  }
  const disturbed = ROWS.flatMap(([name, format, label]) =>
    /** @type {Combined["rounds"]} */ (runs[name]?.[format]?.rounds ?? []).map((round, i) => ({
      label: `${label} ${format} (round ${i + 1})`,
      other: round.cpu_percent.other,
    })),
  ).filter((run) => run.other !== null && run.other > DISTURBED_OTHER_CPU);
  if (disturbed.length > 0) {
    lines.push(
      `note: other work took CPU during ${disturbed.map((run) => `${run.label}: ${fixed(run.other, 0)} %`).join(", ")}: those figures are disturbed`,
    );
  }
  if (peers.nginx_njs.check) {
    const { cases, differences } = peers.nginx_njs.check;
    lines.push(
      `nginx + njs (${peers.nginx_njs.version}): ${cases - differences.length} of ${cases} check orders answered and sent to v2 as the shim does`,
    );
  }
  for (const note of results.notes) lines.push(`note: ${note}`);
  lines.push("");
  lines.push(
    `requests/s, shim / bare pass-through: JSON ${fixed(r.rps_json, 3)}, XML ${fixed(r.rps_xml, 3)}; shim JSON / nginx + njs ${fixed(r.rps_json_vs_nginx_njs, 3)}`,
  );
  lines.push(
    `requests/s over the bare pass-through's (JSON): logging pass-through ${fixed(r.rps_passthrough_logged, 3)}, nginx + njs ${fixed(r.rps_nginx_njs, 3)}, shim ${fixed(r.rps_json, 3)}`,
  );
  lines.push(
    `the same from CPU per request: shim / bare JSON ${fixed(r.by_cpu_json, 3)}, XML ${fixed(r.by_cpu_xml, 3)}; shim JSON / nginx + njs ${fixed(r.by_cpu_json_vs_nginx_njs, 3)}`,
  );
  lines.push(
    `requests/s, shim on a store / shim on memory: SQLite JSON ${fixed(st.sqlite_json, 3)}, XML ${fixed(st.sqlite_xml, 3)}; Redis JSON ${fixed(st.redis_json, 3)}, XML ${fixed(st.redis_xml, 3)}`,
  );
  lines.push(
    `the same from CPU per request: SQLite JSON ${fixed(st.by_cpu_sqlite_json, 3)}, XML ${fixed(st.by_cpu_sqlite_xml, 3)}; Redis JSON ${fixed(st.by_cpu_redis_json, 3)}, XML ${fixed(st.by_cpu_redis_xml, 3)}`,
  );
  lines.push(
    `with redis-server's CPU added to the shim's: Redis JSON ${fixed(st.by_cpu_redis_with_server_json, 3)}, XML ${fixed(st.by_cpu_redis_with_server_xml, 3)} (redis-server ${fixed(runs.shim_redis?.json.redis_server_cpu_us_per_request)} and ${fixed(runs.shim_redis?.xml.redis_server_cpu_us_per_request)} µs per order)`,
  );
  lines.push(`the shim's log line costs a pass-through ${fixed(r.log_line_cpu_us)} µs of CPU per request`);
  lines.push(
    `the retry window: CPU per order with it on / off ${fixed(r.cpu_window_on_vs_off, 3)}; XML / JSON ${fixed(r.cpu_xml_vs_json, 3)}; Redis / SQLite ${fixed(r.cpu_redis_vs_sqlite, 3)}`,
  );
  lines.push(
    `one connection, p50: bare pass-through ${fixed(results.one_connection_p50_ms?.passthrough, 3)} ms, shim ${fixed(results.one_connection_p50_ms?.shim, 3)} ms (added ${fixed(r.one_connection_added_p50_ms, 3)} ms)`,
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
