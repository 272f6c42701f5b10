import { html, raw } from "hono/html";
import type { HtmlEscapedString } from "hono/utils/html";
import { type AccountRow, ageText, type CodeRow, SORT_KEYS, type SortKey } from "./aggregate.js";
import { volumeChart } from "./chart.js";
import type { DashboardData, OrderRow } from "./data.js";
import { migrationSection } from "./migration-stages.js";

// The page, rendered on the server with Hono's html helper, which escapes every
// value: no script, no request to any other host, no font but the system's.
// It reloads itself every 30 s (a meta refresh); the browser sends the token again.

type Html = HtmlEscapedString | Promise<HtmlEscapedString>;

const STYLE = raw(`
:root { color-scheme: light; }
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0; color: #111827; background: #f9fafb; }
header, main { max-width: 1200px; margin: 0 auto; padding: 0 16px; }
header { padding-top: 16px; }
h1 { font-size: 1.4rem; margin: 0 0 4px; }
h2 { font-size: 1.1rem; margin: 24px 0 8px; }
section { background: #fff; border: 1px solid #d1d5db; border-radius: 6px; padding: 8px 12px 12px; margin-bottom: 16px; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid #e5e7eb; vertical-align: top; }
th a { color: #1e3a8a; }
th a[aria-current] { text-decoration: none; font-weight: 800; }
td.n, th.n { text-align: right; }
.agents { font-size: 0.85rem; color: #374151; margin: 2px 0 0; padding-left: 16px; }
.migrated td { color: #4b5563; }
.badge { display: inline-block; padding: 0 6px; border-radius: 4px; font-size: 0.8rem; font-weight: 600; }
.ok { background: #d1fae5; color: #064e3b; } .bad { background: #fee2e2; color: #7f1d1d; } .meh { background: #fef3c7; color: #78350f; }
code { font: 0.85rem ui-monospace, SFMono-Regular, Menlo, monospace; word-break: break-all; }
.chart { width: 100%; height: auto; max-height: 320px; }
.legend { list-style: none; padding: 0; display: flex; flex-wrap: wrap; gap: 4px 16px; margin: 4px 0 0; }
.swatch { display: inline-block; width: 12px; height: 12px; margin-right: 6px; vertical-align: -1px; border-radius: 2px; }
.health { display: grid; grid-template-columns: repeat(auto-fit, minmax(220px, 1fr)); gap: 8px; }
.muted { color: #4b5563; }
`);

const iso = (ms: number) => new Date(ms).toISOString().replace(".000Z", "Z");
const share = (n: number | null) => (n === null ? "—" : `${Math.round(n * 100)} %`);

const SORT_LABELS: Record<SortKey, string> = {
  account: "Account",
  last24h: "24 h",
  last7d: "7 days",
  last30d: "30 days",
  last_seen: "Last seen",
  errors: "Errors",
};

function sortHeader(key: SortKey, current: SortKey): Html {
  const numeric = key !== "account";
  return html`<th class="${numeric ? "n" : ""}" scope="col"><a href="?sort=${key}"${key === current ? raw(' aria-current="true"') : ""}>${SORT_LABELS[key]}</a></th>`;
}

function accountRow(row: AccountRow, now: number): Html {
  return html`<tr class="${row.migrated ? "migrated" : ""}" data-account="${row.account_id}">
<td><strong>${row.account_id}</strong>${row.migrated ? html` <span class="badge ok">migrated</span>` : ""}
<ul class="agents">${row.agents.map((a) => html`<li>${a.user_agent}: ${a.last30d} in 30 days</li>`)}</ul></td>
<td class="n">${row.last24h}</td><td class="n">${row.last7d}</td><td class="n">${row.last30d}</td>
<td class="n" title="${iso(row.last_seen)}">${ageText(now - row.last_seen)} ago</td>
<td class="n">${share(row.error_share)}</td></tr>`;
}

function codeTable(rows: readonly CodeRow[], statusLabel: string, empty: string): Html {
  if (rows.length === 0) return html`<p class="muted">${empty}</p>`;
  return html`<div class="scroll"><table><thead><tr><th scope="col">Code</th><th scope="col">${statusLabel}</th><th class="n" scope="col">24 h</th><th class="n" scope="col">7 days</th></tr></thead>
<tbody>${rows.map((r) => html`<tr><td><code>${r.code}</code></td><td>${r.status}</td><td class="n">${r.last24h}</td><td class="n">${r.last7d}</td></tr>`)}</tbody></table></div>`;
}

function orderTable(rows: readonly OrderRow[], empty: string): Html {
  if (rows.length === 0) return html`<p class="muted">${empty}</p>`;
  return html`<div class="scroll"><table><thead><tr><th scope="col">Account</th><th scope="col">alternative_order_id</th><th scope="col">State</th><th class="n" scope="col">Age</th><th scope="col">Look it up in v2</th></tr></thead>
<tbody>${rows.map(
    (r) =>
      html`<tr class="order" data-order="${r.alternative_order_id}"><td>${r.account_id}</td><td><code>${r.alternative_order_id}</code></td><td>${r.state}${r.v2_order_id === null ? "" : ` (${r.v2_order_id})`}</td><td class="n">${ageText(r.age_ms)}</td><td><code>${r.curl}</code></td></tr>`,
  )}</tbody></table></div>`;
}

function paceTable(rows: DashboardData["health"]["pacing"]): Html {
  if (rows.length === 0) return html`<p class="muted">No calls paced just now.</p>`;
  return html`<div class="scroll"><table><thead><tr><th scope="col">Key digest</th><th class="n" scope="col">Calls</th><th class="n" scope="col">Saturation</th><th scope="col">Held back by v2</th></tr></thead>
<tbody>${rows.map(
    (r) =>
      html`<tr class="pace"><td><code>${r.key}</code></td><td class="n">${r.calls} of ${r.limit} per ${r.windowMs / 1000} s</td><td class="n">${Math.round(r.saturation * 100)} %</td><td>${r.held_until === null ? "no" : `until ${iso(r.held_until)}`}</td></tr>`,
  )}</tbody></table></div>`;
}

const V2_BADGES = { reachable: "ok", unreachable: "bad", intermittent: "meh", "no recent calls": "meh" } as const;

export function dashboardPage(data: DashboardData): Html {
  const { health } = data;
  const active = data.accounts.filter((a) => !a.migrated);
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="refresh" content="30"><meta name="referrer" content="no-referrer">
<title>v1 shim: migration dashboard</title><style>${STYLE}</style></head>
<body><header><h1>v1 migration dashboard</h1>
<p class="muted">${active.length} of ${data.accounts.length} accounts still call v1 · as of ${iso(data.now)} · reloads every 30 s</p></header>
<main>
<section id="health"><h2>Health now</h2><div class="health">
<div>v2: <span class="badge ${V2_BADGES[health.v2]}">${health.v2}</span> <span class="muted">(calls of the last 5 min)</span></div>
<div>State store (${health.store.backend}): <span class="badge ${health.store.up ? "ok" : "bad"}">${health.store.up ? "up" : "down"}</span></div>
<div>Deprecation: ${health.deprecation ?? "not set"}</div>
<div>Sunset: ${health.sunset ?? "not set"}</div>
</div>
<h3>Pacing toward v2, per key (by digest)</h3>${paceTable(health.pacing)}</section>
<section id="callers"><h2>Who still calls v1</h2><div class="scroll"><table>
<thead><tr>${SORT_KEYS.map((k) => sortHeader(k, data.sort))}</tr></thead>
<tbody>${data.accounts.map((row) => accountRow(row, data.now))}</tbody></table></div>
${data.accounts.length === 0 ? html`<p class="muted">No legacy calls recorded.</p>` : ""}
<p class="muted">Errors: the share of the last 30 days' calls that were refused or failed. Silent for 30 days: migrated.</p></section>
${data.migration ? migrationSection(data.migration) : ""}
<section id="volume"><h2>Legacy requests per day, last 30 days (UTC)</h2>${volumeChart(data.volume)}</section>
<section id="failures"><h2>What fails</h2>
<h3>v1 error codes answered</h3>${codeTable(data.failures.v1, "Status", "No errors in the last 7 days.")}
<h3>v2's codes behind upstream refusals</h3>${codeTable(data.failures.v2, "v2 answered", "No upstream refusals in the last 7 days.")}</section>
<section id="orders"><h2>Orders that need someone</h2>
<h3>Unknown: v2 may hold them</h3>${orderTable(data.orders.unknown, "None.")}
<h3>Settled after their request, last 7 days</h3>${orderTable(data.orders.settledLater, "None.")}
<p class="muted"><code>$KEY</code> is the account's v2 API key: the page never shows it.</p></section>
</main></body></html>`;
}
