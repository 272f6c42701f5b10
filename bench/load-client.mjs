// The load generator, in a process of its own so that its CPU is not the fake
// v2's (which lives in the harness). Reads one JSON argument (see run-autocannon.mjs),
// runs autocannon once, prints one JSON line of results on stdout.

import { createHistogram } from "node:perf_hooks";
import autocannon from "autocannon";

/** @type {import("./run-autocannon.mjs").LoadOptions} */
const options = JSON.parse(process.argv[2] ?? "{}");

// autocannon's own latency histogram keeps whole milliseconds, too coarse for a
// sub-millisecond difference; its per-response event carries the exact time.
const latencyUs = createHistogram();
// Its own CPU, to tell whether the load generator was the bottleneck.
const cpuBefore = process.cpuUsage();

const instance = autocannon(
  {
    url: options.url,
    method: "POST",
    headers: options.headers,
    body: options.body,
    idReplacement: options.idReplacement ?? false,
    connections: options.connections,
    ...(options.amount ? { amount: options.amount } : { duration: options.durationS }),
    timeout: options.timeoutS ?? 10,
  },
  (error, result) => {
    if (error) {
      process.stderr.write(`autocannon failed: ${error.stack ?? error}\n`);
      process.exit(1);
    }
    /** @param {number} q */
    const ms = (q) => (latencyUs.count === 0 ? null : latencyUs.percentile(q) / 1000);
    const cpu = process.cpuUsage(cpuBefore);
    const elapsedMs = result.finish.getTime() - result.start.getTime();
    const statusCounts = Object.fromEntries(Object.entries(result.statusCodeStats).map(([status, stats]) => [status, stats.count]));
    const summary = {
      requests_per_sec: result.requests.average,
      responses: Object.values(statusCounts).reduce((a, b) => a + b, 0),
      elapsed_ms: elapsedMs,
      latency_ms: { p50: ms(50), p90: ms(90), p99: ms(99), max: latencyUs.count === 0 ? null : latencyUs.max / 1000 },
      status_counts: statusCounts,
      non_2xx: result.non2xx,
      // autocannon counts timeouts among its errors too.
      socket_errors: result.errors,
      timeouts: result.timeouts,
      client_cpu_percent: ((cpu.user + cpu.system) / 1000 / elapsedMs) * 100,
      // Its start-up included, for the account of everything the machine did meanwhile.
      client_cpu_ms_total: (process.cpuUsage().user + process.cpuUsage().system) / 1000,
    };
    process.stdout.write(`${JSON.stringify(summary)}\n`);
  },
);

instance.on("response", (_client, statusCode, _bytes, responseTimeMs) => {
  // Only successes, as autocannon does: a fast refusal must not flatter the latency.
  if (statusCode >= 200 && statusCode < 300) latencyUs.record(Math.max(1, Math.round(responseTimeMs * 1000)));
});
