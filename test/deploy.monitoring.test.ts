import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { scrape } from "./support/metrics.js";
import { startShim } from "./support/shim.js";
import { makeServerChain } from "./support/tls-certs.js";

const file = (path: string) => fileURLToPath(new URL(`../deploy/${path}`, import.meta.url));
const RULES = file("prometheus/alerts.yaml");
const rules = parse(readFileSync(RULES, "utf8")).groups.flatMap((group: { rules: { alert: string; expr: string }[] }) => group.rules);
const dashboard = JSON.parse(readFileSync(file("grafana/dashboard.json"), "utf8"));
const dashboardExprs: string[] = dashboard.panels.flatMap((panel: { targets: { expr: string }[] }) => panel.targets.map((t) => t.expr));

/** Debian's promtool (package prometheus, which .ci/run installs). */
function promtool(args: string[]) {
  const run = spawnSync("promtool", args, { encoding: "utf8", cwd: file("prometheus") });
  if (run.error) expect.fail(`promtool cannot run (${run.error.message}): .ci/run installs Debian's prometheus`);
  return run;
}

/** The metrics a PromQL expression reads: the shim's and Node's, a histogram's series by its own name. */
const metricsIn = (expr: string) =>
  [...expr.matchAll(/\b((?:shim|process|nodejs)_[a-z0-9_]+)\b/g)].map(([, name]) => name!.replace(/_(bucket|sum|count)$/, ""));

/**
 * Every metric name a scrape of a shim with TLS shows (TYPE lines), so that every metric it can show is there:
 * listening, since the certificate's expiry is the listener's metric, and Prometheus scrapes a port.
 */
async function exposedMetrics(): Promise<Set<string>> {
  const { server, chainFile } = makeServerChain("monitoring");
  const shim = await startShim({ SHIM_TLS_CERT_FILE: chainFile, SHIM_TLS_KEY_FILE: server.keyFile, SHIM_ADMIN_PORT: "0" });
  const text = await scrape(shim.adminUrl!);
  return new Set([...text.matchAll(/^# TYPE (\S+) /gm)].map(([, name]) => name!));
}

describe("deploy/prometheus/alerts.yaml", () => {
  it("passes promtool check rules, and its unit tests (alerts.test.yaml) fire each alert as meant", () => {
    const check = promtool(["check", "rules", RULES]);
    expect([check.status, check.stderr]).toEqual([0, ""]);
    expect(check.stdout).toContain(`SUCCESS: ${rules.length} rules found`);
    const test = promtool(["test", "rules", "alerts.test.yaml"]);
    expect(test.status, test.stdout + test.stderr).toBe(0);
  });

  it("alerts on unknown orders, the store down, v2's refusals and unavailability, and a certificate's expiry", () => {
    const alerted = (metric: string) => rules.filter((rule: { expr: string }) => metricsIn(rule.expr).includes(metric)).length;
    for (const metric of ["shim_orders_unknown", "shim_state_up", "shim_v2_calls_total", "shim_tls_certificate_not_after_seconds"]) {
      expect(alerted(metric), metric).toBeGreaterThan(0);
    }
  });
});

describe("deploy/grafana/dashboard.json", () => {
  it("is a dashboard whose panels each query something, laid out within Grafana's 24 columns", () => {
    expect(dashboard.uid).toBe("digicert-v1-shim");
    const ids = dashboard.panels.map((panel: { id: number }) => panel.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const panel of dashboard.panels) {
      expect(panel.targets.length, panel.title).toBeGreaterThan(0);
      expect(panel.gridPos.x + panel.gridPos.w, panel.title).toBeLessThanOrEqual(24);
    }
  });

  it("queries, as the alerts do, only metrics the shim's /metrics shows", async () => {
    const exposed = await exposedMetrics();
    for (const expr of [...dashboardExprs, ...rules.map((rule: { expr: string }) => rule.expr)]) {
      expect(metricsIn(expr).length, expr).toBeGreaterThan(0);
      for (const metric of metricsIn(expr)) expect(exposed.has(metric), `${metric} in ${expr}`).toBe(true);
    }
  });
});
