import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../src/config/config.js";
import { SHIM_VERSION } from "../src/contract/version.js";
import { UNVERIFIED } from "../src/observability/client-usage.js";
import { HOUR_MS, latencyBucketOf, type Series, seriesName } from "../src/observability/usage-series.js";
import { MemoryStore } from "../src/state/memory.js";
import { inProcessApp } from "./support/app.js";
import { SEEDED, seedDashboardPast } from "./support/dashboard-seed.js";

// The page and its headers, in process: what each finding of issue 25 asked for, as markup.

const TOKEN = "a-long-admin-token-for-page-tests";
const HOSTILE = { account: '"><img src=x onerror=alert(1)>', agent: "<script>alert(2)</script>", code: "<svg onload=alert(3)>:x" };
const ADMIN_PATHS = ["/_shim/dashboard", "/_shim/dashboard.json", "/_shim/clients", "/_shim/orders"];

/** The shim's app on a store holding the seeded past, and more: replays, paths, families, other replicas, hostile names. */
async function seededApp(env: Record<string, string> = {}) {
  const store = new MemoryStore();
  await seedDashboardPast(store);
  const now = Date.now();
  const hour = now - (now % HOUR_MS);
  const at = (series: Series, count: number, hoursAgo = 0) => ({ hour: hour - hoursAgo * HOUR_MS, series: seriesName(series), count });
  await store.addHourCounts(
    [
      at({ kind: "call", account_id: "001007", user_agent: "Agent/1", outcome: "ordered" }, 6),
      at({ kind: "call", account_id: "001007", user_agent: "Agent/1", outcome: "read" }, 120, 1),
      at({ kind: "replayed", account_id: "001007", user_agent: "Agent/1" }, 2),
      at({ kind: "order_latency", account_id: "001007", bucket: latencyBucketOf(420) }, 6),
      at({ kind: "path", account_id: "001007", path: "orders" }, 6),
      at({ kind: "path", account_id: "001007", path: "translate" }, 2),
      at({ kind: "v1_family", family: "required_param:*", status: 400 }, 2),
      ...["org_name", "org_city", "org_zip", "telephone"].map((f) => at({ kind: "v1_error", code: `required_param:${f}`, status: 400 }, 2)),
      at({ kind: "call", account_id: HOSTILE.account, user_agent: HOSTILE.agent, outcome: "refused_by_v2" }, 1),
      at({ kind: "v2_error", code: HOSTILE.code, v2_status: "400" }, 1),
      at({ kind: "v1_family", family: "<svg onload=alert(3)>:*", status: 400 }, 1),
      at({ kind: "v1_error", code: HOSTILE.code, status: 400 }, 1),
    ],
    { maxSeriesPerHour: 1_000, othersSeries: '["others"]' },
  );
  await store.beat({ replica: "shim-old", version: "0.0.9", started_at: now - HOUR_MS, at: now - 60_000 }, 0);
  await store.beat({ replica: "shim-gone", version: SHIM_VERSION, started_at: now - HOUR_MS, at: now - 10 * 60_000 }, 0);
  await store.beat({ replica: "<b>shim</b>", version: SHIM_VERSION, started_at: now - HOUR_MS, at: now - 1_000 }, 0);
  const config = loadConfig({ SHIM_ADMIN_TOKEN: TOKEN, SHIM_STATE: "memory", SHIM_REPLICA_ID: "shim-here", ...env });
  return (await inProcessApp({ config, state: store })).app;
}

const authorized = { headers: { Authorization: `Bearer ${TOKEN}` } };
async function page(env?: Record<string, string>) {
  const answer = await (await seededApp(env)).request("/_shim/dashboard", authorized);
  return { answer, text: await answer.text() };
}
/** The page's visible text, tags taken out. */
const textOf = (html: string) => html.replace(/<style>[\s\S]*?<\/style>|<script>[\s\S]*?<\/script>/g, "").replace(/<[^>]+>/g, "");
const sha256 = (text: string) => `'sha256-${createHash("sha256").update(text).digest("base64")}'`;

describe("the dashboard's headers", () => {
  it("are on every admin page and answer, 401s included: a policy that allows nothing from elsewhere and no framing, nosniff, no referrer", async () => {
    const app = await seededApp();
    for (const path of ADMIN_PATHS) {
      for (const init of [authorized, {}]) {
        const answer = await app.request(path, init);
        const policy = answer.headers.get("content-security-policy") ?? "";
        expect(policy, path).toMatch(/(^|; )default-src 'none'(;|$)/);
        expect(policy, path).toMatch(/(^|; )frame-ancestors 'none'(;|$)/);
        expect(policy, path).toMatch(/(^|; )base-uri 'none'(;|$)/);
        expect(policy, path).toMatch(/(^|; )form-action 'none'(;|$)/);
        expect(answer.headers.get("x-frame-options"), path).toBe("DENY");
        expect(answer.headers.get("x-content-type-options"), path).toBe("nosniff");
        expect(answer.headers.get("referrer-policy"), path).toBe("no-referrer");
        expect(answer.headers.get("strict-transport-security"), path).toBeNull();
      }
    }
    // The legacy surface answers as it did.
    expect((await app.request("/healthz")).headers.get("content-security-policy")).toBeNull();
  });

  it("allow exactly the page's one inline style and one inline script, by their hashes, and the page has no other", async () => {
    const { answer, text } = await page();
    const policy = answer.headers.get("content-security-policy")!;
    const styles = [...text.matchAll(/<style>([\s\S]*?)<\/style>/g)].map((m) => m[1]!);
    const scripts = [...text.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1]!);
    expect([styles.length, scripts.length]).toEqual([1, 1]);
    expect(policy).toContain(`style-src ${sha256(styles[0]!)}`);
    expect(policy).toContain(`script-src ${sha256(scripts[0]!)}`);
    // Neither a style attribute nor an event handler, which the policy would refuse.
    const attributes = (text.match(/<[^>]+>/g) ?? []).map((tag) => tag.replace(/="[^"]*"/g, '=""'));
    expect(attributes.filter((tag) => /\s(style|on[a-z]+)=/i.test(tag))).toEqual([]);
    // Without script it still reloads itself.
    expect(text).toContain('<noscript><meta http-equiv="refresh" content="30"></noscript>');
  });
});

describe("the dashboard's page", () => {
  it("counts verified accounts only in the headline, and gives the unverified bucket a line of its own, not a row", async () => {
    const { text } = await page();
    // 001007, 002002 and the hostile one call; 003003 has migrated; (unverified) is none of them.
    expect(textOf(text)).toMatch(/3 of 4\s+accounts still call v1/);
    expect(text).not.toContain(`data-account="${UNVERIFIED}"`);
    expect(textOf(text.match(/<p id="unverified">[\s\S]*?<\/p>/)![0])).toMatch(
      new RegExp(`counted apart.*${SEEDED.unverifiedCalls} requests in 24 h, ${SEEDED.unverifiedCalls} in 30 days; last 2 h 0 min ago`),
    );
  });

  it("says the request rate: the last full hour's, a minute, and this hour's so far", async () => {
    const { text } = await page();
    expect(textOf(text)).toMatch(/Legacy requests: 120 in the last full hour \(2\.0 a minute\), \d+ in this one so far \(\d+ min\)/);
  });

  it("writes times for a reader: how long ago, the ISO value in a title, no milliseconds; and flags a past date", async () => {
    const { text } = await page({ SHIM_DEPRECATION_DATE: "2025-01-01", SHIM_SUNSET_DATE: "2099-06-30" });
    expect(text).not.toMatch(/\d\d:\d\d:\d\d\.\d{3}/);
    expect(text).toMatch(/<time datetime="\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ" title="\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ">2 h 0 min ago<\/time>/);
    const card = (label: string) => textOf(text.match(new RegExp(`<div class="card"><span class="k">${label}</span>[\\s\\S]*?</div>`))![0]);
    expect(card("Deprecation")).toMatch(/^Deprecation2025-01-01 00:00 UTC \(\d+ y \d+ d ago\) past$/);
    expect(card("Sunset")).toMatch(/^Sunset2099-06-30 00:00 UTC \(in \d+ y \d+ d\)$/);
  });

  it("groups v1's codes by family, counted in requests, with the codes most often answered; v2's refusals in their own table, before the callers", async () => {
    const { text } = await page();
    const families = [...text.matchAll(/<tr class="family">([\s\S]*?)<\/tr>/g)].map((m) => textOf(m[1]!));
    const required = families.find((f) => f.startsWith("required_param:*"))!;
    expect(required).toMatch(
      /^required_param:\*400\d+2required_param:org_city \(2\) · required_param:org_name \(2\) · required_param:org_zip \(2\) and 1 more$/,
    );
    expect(families.filter((f) => f.startsWith("required_param:"))).toHaveLength(1);
    expect(text.indexOf('<section id="refusals">')).toBeLessThan(text.indexOf('<section id="callers">'));
    expect(textOf(text.match(/<section id="refusals">[\s\S]*?<\/section>/)![0])).toContain(SEEDED.v2Refusal.code);
  });

  it("wraps codes only at their separators", async () => {
    const { text } = await page();
    expect(text).toContain("<code>required_<wbr>param:<wbr>org_<wbr>city</code>");
  });

  it("labels the chart's axes with values, at both widths, and gives its numbers as a table for screen readers", async () => {
    const { text } = await page();
    for (const layout of ["wide", "narrow"]) {
      const svg = text.match(new RegExp(`<svg class="chart ${layout}"[\\s\\S]*?</svg>`))![0];
      const labels = (axis: string) => [...svg.matchAll(new RegExp(`class="tick ${axis}"[^>]*>([^<]*)<`, "g"))].map((m) => m[1]);
      expect(labels("y")).toEqual(["0", "50", "100", "150"]);
      expect(labels("x")).toHaveLength(5);
      expect(svg).toContain('aria-hidden="true"');
    }
    const table = text.match(/<div class="sr-only"><table>[\s\S]*?<\/table><\/div>/)![0];
    expect(table.match(/<tr><th scope="row">/g)).toHaveLength(30);
  });

  it("shows each account's replays, p50 and p99 over 24 h and paths, and each replica seen in 5 minutes with its version", async () => {
    const { text } = await page();
    const row = text.match(/<tr class="" data-account="001007">[\s\S]*?<\/tr>/)![0];
    expect(row).toMatch(/<span class="replays"[^>]*>2<\/span>/);
    // Six orders of 420 ms, in the bucket from 362 to 431 ms.
    expect(row).toMatch(/<span class="latency"[^>]*>(3[6-9]|4[0-3])\d ms · (3[6-9]|4[0-3])\d ms<\/span>/);
    expect(row).toContain('<span class="paths">orders 75 % · translate 25 %</span>');
    const replicas = [...text.matchAll(/<li class="replica" data-replica="([^"]*)">([\s\S]*?)<\/li>/g)].map((m) => [m[1], textOf(m[2]!)]);
    expect(replicas.map(([id]) => id)).toEqual(["&lt;b&gt;shim&lt;/b&gt;", "shim-here", "shim-old"]);
    expect(replicas[1]![1]).toContain(`shim-here ${SHIM_VERSION} · seen 0 s ago`);
    expect(replicas[2]![1]).toMatch(/^shim-old 0\.0\.9 other version · seen 1 min ago · up 1 h 0 min$/);
    expect(textOf(text)).toContain(`Version (this replica)${SHIM_VERSION}`);
  });

  it("escapes what callers, v2 and the store put in it", async () => {
    const { text } = await page();
    for (const hostile of [HOSTILE.account, HOSTILE.agent, HOSTILE.code, "<b>shim</b>"]) expect(text).not.toContain(hostile);
    expect(text).not.toMatch(/<(img|svg onload|b>)/);
    expect(text).toContain("&lt;script&gt;alert(2)&lt;/script&gt;");
  });
});
