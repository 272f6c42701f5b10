import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

// That `npm run bench` works, not how fast anything is: a second per run, few
// connections, a small slow-v2 run. No figure is asserted; CI's machine is shared.

const BENCH = fileURLToPath(new URL("../bench/main.mjs", import.meta.url));
const ROOT = fileURLToPath(new URL("..", import.meta.url));

describe("npm run bench", () => {
  it("runs every run to the end, exits 0 and writes its figures", async () => {
    const dir = mkdtempSync(join(tmpdir(), "bench-smoke-"));
    const out = join(dir, "bench.json");
    try {
      // dist/ is built by vitest's global setup.
      const args = [
        "--no-build",
        "--duration",
        "1",
        "--warmup",
        "0",
        "--connections",
        "4",
        "--in-flight",
        "100",
        "--slow-delay",
        "300",
        "--out",
        out,
      ];
      const { code, stderr } = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
        const child = execFile(process.execPath, [BENCH, ...args], { cwd: ROOT }, (_error, _stdout, stderr) =>
          resolve({ code: child.exitCode, stderr }),
        );
      });
      expect(code, stderr).toBe(0);

      const results = JSON.parse(readFileSync(out, "utf8"));
      expect(Object.keys(results)).toEqual(
        expect.arrayContaining(["machine", "settings", "runs", "ratios", "state_ratios", "shim", "slow_run", "targets", "ok", "problems"]),
      );
      for (const target of ["passthrough", "shim", "shim_memory", "shim_redis"]) {
        for (const format of ["json", "xml"]) {
          expect(Object.keys(results.runs[target][format])).toEqual(
            expect.arrayContaining(["requests_per_sec", "latency_ms", "status_counts", "non_2xx", "socket_errors"]),
          );
          expect(Object.keys(results.runs[target][format].latency_ms)).toEqual(expect.arrayContaining(["p50", "p99"]));
        }
      }
      expect(Object.keys(results.ratios)).toEqual(["rps_json", "rps_xml", "added_p50_ms_json", "added_p50_ms_xml"]);
      expect(Object.keys(results.state_ratios)).toEqual(["sqlite_json", "sqlite_xml", "redis_json", "redis_xml"]);
      expect(Object.keys(results.shim)).toEqual(expect.arrayContaining(["ready_ms", "rss_peak_load_mib", "rss_after_load_mib"]));
      expect(Object.keys(results.slow_run)).toEqual(
        expect.arrayContaining(["in_flight", "all_201", "answered_201", "orders_made", "lost", "total_ms", "rss_peak_mib"]),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);
});
