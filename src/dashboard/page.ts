import { createHash } from "node:crypto";
import { html, raw } from "hono/html";
import { PATHS } from "../observability/usage-series.js";
import { type AccountRow, type CodeRow, type DateSetting, type FamilyRow, SORT_KEYS, type SortKey } from "./aggregate.js";
import { LINE_COLOURS, NARROW, volumeChart, volumeLegend, volumeTable, WIDE } from "./chart.js";
import type { DashboardData, OrderRow } from "./data.js";
import { ageText, countText, dateText, durationText, isoText, relativeText, shareText } from "./format.js";
import { migrationSection } from "./migration-stages.js";
import { cell, type Html, stackTable } from "./tables.js";

// The page, rendered on the server with Hono's html helper, which escapes every
// value: no request to any other host, no font but the system's, and nothing
// needs script to be read. Its one style sheet and its few lines of script are
// inline, and allowed by their hashes (PAGE_CSP_SOURCES), nothing else. Below
// 720 px its tables become stacked rows, each cell labelled: nothing scrolls sideways.

/** Below this width tables are stacked rows and the narrow chart is drawn. */
const NARROW_PX = 720;
/** Agents listed under an account; the rest behind "N more". */
const AGENTS_SHOWN = 3;
export const RELOAD_SECONDS = 30;

const STYLE = `
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0; color: #111827; background: #f9fafb; }
header, main { max-width: 1200px; margin: 0 auto; padding: 0 16px; }
header { padding: 16px 16px 8px; }
h1 { font-size: 1.4rem; margin: 0 0 4px; }
h2 { font-size: 1.1rem; margin: 0 0 8px; }
h3 { font-size: 1rem; margin: 14px 0 6px; }
p { margin: 4px 0; }
.headline { font-size: 1.1rem; }
section { background: #fff; border: 1px solid #d1d5db; border-radius: 6px; padding: 10px 12px 12px; margin-bottom: 16px; }
table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid #e5e7eb; vertical-align: top; }
th a { color: #1e3a8a; }
a[aria-current] { text-decoration: none; font-weight: 800; }
td.n, th.n { text-align: right; }
.agents { font-size: 0.85rem; color: #374151; margin: 2px 0 0; }
.agents summary { cursor: pointer; }
.id { overflow-wrap: anywhere; }
.migrated td { color: #4b5563; }
.badge { display: inline-block; padding: 0 6px; border-radius: 4px; font-size: 0.8rem; font-weight: 600; }
.ok { background: #d1fae5; color: #064e3b; } .bad { background: #fee2e2; color: #7f1d1d; } .meh { background: #fef3c7; color: #78350f; }
code { font: 0.85rem ui-monospace, SFMono-Regular, Menlo, monospace; overflow-wrap: break-word; }
.chart { display: block; width: 100%; height: auto; }
.chart.narrow, .sort { display: none; }
.legend { list-style: none; padding: 0; display: flex; flex-wrap: wrap; gap: 4px 16px; margin: 6px 0 0; }
.swatch { display: inline-block; width: 12px; height: 12px; margin-right: 6px; vertical-align: -1px; border-radius: 2px; }
${LINE_COLOURS.map((colour, k) => `.c${k} { background: ${colour}; }`).join(" ")}
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(170px, 1fr)); gap: 8px; }
td.code { width: 20rem; }
.card { border: 1px solid #e5e7eb; border-radius: 6px; padding: 6px 8px; }
.card > .k { display: block; font-size: 0.8rem; color: #4b5563; }
.replicas { list-style: none; margin: 0; padding: 0; }
.muted { color: #4b5563; }
.sr-only { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); white-space: nowrap; }
@media (max-width: ${NARROW_PX}px) {
  header, main { padding-left: 8px; padding-right: 8px; }
  .chart.wide { display: none; } .chart.narrow { display: block; } .sort { display: block; }
  .cards { grid-template-columns: repeat(auto-fit, minmax(150px, 1fr)); }
  table.stack, table.stack tbody, table.stack td { display: block; width: 100%; }
  table.stack thead { display: none; }
  table.stack tr { display: grid; grid-template-columns: 1fr 1fr; gap: 0 12px; border: 1px solid #e5e7eb; border-radius: 6px; margin-bottom: 8px; padding: 4px 8px; }
  table.stack td { border: 0; padding: 2px 0; text-align: left; }
  table.stack td.wide { grid-column: 1 / -1; }
  table.stack td[data-label]::before { content: attr(data-label); display: inline-block; margin-right: 0.4em; color: #4b5563; font-size: 0.85rem; }
}
`;

// Reloads every RELOAD_SECONDS while the page is in view; a hidden tab reloads once it is shown.
// Without script, the meta refresh in <noscript> does it.
const SCRIPT = `
const due = Date.now() + ${RELOAD_SECONDS * 1000};
setInterval(() => { if (Date.now() >= due && document.visibilityState === "visible") location.reload(); }, 1000);
`;

const cspHash = (text: string) => `'sha256-${createHash("sha256").update(text).digest("base64")}'`;
/** What the Content-Security-Policy must allow for the page: its own inline style and script, by their hashes. */
export const PAGE_CSP_SOURCES = { style: [cspHash(STYLE)], script: [cspHash(SCRIPT)] };

/** A code that wraps only after its separators (`required_param:<wbr>org_<wbr>name`), not inside a word. */
const codeText = (text: string): Html =>
  html`<code>${text.split(/(?<=[:_./=&?\s-])/).map((part, i) => (i === 0 ? part : html`<wbr>${part}`))}</code>`;

/** A time to read ("4 min ago"), its ISO value in the title. */
const when = (at: number, now: number): Html =>
  html`<time datetime="${isoText(at)}" title="${isoText(at)}">${relativeText(at, now)}</time>`;

const SORT_LABELS: Record<SortKey, string> = {
  account: "Account",
  last24h: "24 h",
  last7d: "7 days",
  last30d: "30 days",
  last_seen: "Last seen",
  errors: "Errors",
  replays: "Replays",
  p99: "p50 · p99",
};

const sortLink = (key: SortKey, current: SortKey): Html =>
  html`<a href="?sort=${key}"${key === current ? raw(' aria-current="true"') : ""}>${SORT_LABELS[key]}</a>`;

function sortHeader(key: SortKey, current: SortKey): Html {
  return html`<th class="${key === "account" ? "" : "n"}" scope="col">${sortLink(key, current)}</th>`;
}

/** A table's column of codes: wide enough that a family's name does not wrap on a wide screen. */
const codeCell = (code: string): Html => cell("Code", codeText(code), "code wide");

function agentList(row: AccountRow): Html {
  const item = (a: AccountRow["agents"][number]) => html`<span class="id">${a.user_agent}</span> (${countText(a.last30d)})`;
  const shown = row.agents.slice(0, AGENTS_SHOWN);
  const rest = row.agents.slice(AGENTS_SHOWN);
  const join = (agents: typeof row.agents) => agents.map((a, i) => html`${i === 0 ? "" : " · "}${item(a)}`);
  return html`<div class="agents">${join(shown)}${
    rest.length === 0 ? "" : html`<details><summary>${rest.length} more agents</summary>${join(rest)}</details>`
  }</div>`;
}

function latencyText(row: AccountRow): Html {
  if (!row.latency) return html`—`;
  const { orders, p50_ms, p99_ms } = row.latency;
  return html`<span class="latency" title="${countText(orders)} orders in 24 h">${durationText(p50_ms)} · ${durationText(p99_ms)}</span>`;
}

function pathsText(row: AccountRow): Html {
  if (!row.paths) return html`—`;
  const paths = row.paths;
  const used = PATHS.filter((p) => paths[p] > 0).map((p) => `${p} ${shareText(paths[p])}`);
  return html`<span class="paths">${used.join(" · ")}</span>`;
}

function accountRow(row: AccountRow, now: number): Html {
  const { replayed } = row;
  return html`<tr class="${row.migrated ? "migrated" : ""}" data-account="${row.account_id}">
<td class="wide"><strong class="id">${row.account_id}</strong>${row.migrated ? html` <span class="badge ok">migrated</span>` : ""}${agentList(row)}</td>
${cell("24 h", countText(row.last24h), "n")}${cell("7 days", countText(row.last7d), "n")}${cell("30 days", countText(row.last30d), "n")}
${cell("Last seen", when(row.last_seen, now), "n")}${cell("Errors (30 days)", shareText(row.error_share), "n")}
${cell("Replays (30 days)", html`<span class="replays" title="24 h: ${replayed.last24h} · 7 days: ${replayed.last7d}">${countText(replayed.last30d)}</span>`, "n")}
${cell("p50 · p99 (24 h)", latencyText(row), "n wide")}${cell("Paths (30 days)", pathsText(row), "wide")}</tr>`;
}

const dateCard = (label: string, date: DateSetting | null, now: number, pastBadge: "bad" | "meh"): Html =>
  html`<div class="card"><span class="k">${label}</span>${
    date === null
      ? "not set"
      : html`<time datetime="${isoText(date.at)}" title="${isoText(date.at)}">${dateText(date.at)}</time> (${relativeText(date.at, now)})${
          date.past ? html` <span class="badge ${pastBadge}">past</span>` : ""
        }`
  }</div>`;

const V2_BADGES = { reachable: "ok", unreachable: "bad", intermittent: "meh", "no recent calls": "meh" } as const;

function healthSection({ health, now }: DashboardData): Html {
  const replicas = health.replicas.map(
    (r) =>
      html`<li class="replica" data-replica="${r.replica}"><strong class="id">${r.replica}</strong> ${r.version}${
        r.other_version ? html` <span class="badge meh">other version</span>` : ""
      } · seen ${when(Math.min(r.at, now), now)} · up ${ageText(now - r.started_at)}</li>`,
  );
  return html`<section id="health"><h2>Health now</h2><div class="cards">
<div class="card"><span class="k">Version (this replica)</span>${health.version}</div>
<div class="card"><span class="k">Replicas seen in the last 5 min</span>${
    replicas.length === 0 ? "none" : html`<ul class="replicas">${replicas}</ul>`
  }</div>
<div class="card"><span class="k">v2, from the calls of the last 5 min</span><span class="badge ${V2_BADGES[health.v2]}">${health.v2}</span></div>
<div class="card"><span class="k">State store (${health.store.backend})</span><span class="badge ${health.store.up ? "ok" : "bad"}">${health.store.up ? "up" : "down"}</span></div>
${dateCard("Deprecation", health.deprecation, now, "meh")}${dateCard("Sunset", health.sunset, now, "bad")}
</div></section>`;
}

function codeTable(rows: readonly CodeRow[], statusLabel: string, empty: string): Html {
  if (rows.length === 0) return html`<p class="muted">${empty}</p>`;
  return stackTable(
    ["Code", statusLabel, html`<th class="n" scope="col">24 h</th>`, html`<th class="n" scope="col">7 days</th>`],
    rows.map(
      (r) =>
        html`<tr>${codeCell(r.code)}${cell(statusLabel, r.status)}${cell("24 h", countText(r.last24h), "n")}${cell("7 days", countText(r.last7d), "n")}</tr>`,
    ),
  );
}

function refusalsSection({ failures }: DashboardData): Html {
  return html`<section id="refusals"><h2>v2's refusals and failures, last 7 days</h2>
${codeTable(failures.v2, "v2 answered", "No upstream refusals in the last 7 days.")}</section>`;
}

function familyCodes(row: FamilyRow): Html {
  if (row.codes.length === 0) return html``;
  const listed = row.codes.map((c, i) => html`${i === 0 ? "" : " · "}${codeText(c.code)} (${countText(c.last7d)})`);
  return html`${listed}${row.more > 0 ? ` and ${row.more} more` : ""}`;
}

function failuresSection({ failures }: DashboardData): Html {
  const body =
    failures.v1.length === 0
      ? html`<p class="muted">No errors in the last 7 days.</p>`
      : stackTable(
          [
            "Code",
            "Status",
            html`<th class="n" scope="col">Requests 24 h</th>`,
            html`<th class="n" scope="col">7 days</th>`,
            "Most often (7 days)",
          ],
          failures.v1.map(
            (r) =>
              html`<tr class="family">${codeCell(r.code)}${cell("Status", r.status)}${cell("Requests 24 h", countText(r.last24h), "n")}${cell("Requests 7 days", countText(r.last7d), "n")}${cell("Most often", familyCodes(r), "wide")}</tr>`,
          ),
        );
  return html`<section id="failures"><h2>v1 error codes answered, by family</h2>${body}
<p class="muted">Each request counts once in its family, however many of the family's codes it was answered with.</p></section>`;
}

function callersSection(data: DashboardData): Html {
  const { accounts, sort, now } = data;
  const table =
    accounts.length === 0
      ? html`<p class="muted">No legacy calls recorded.</p>`
      : stackTable(
          [...SORT_KEYS.map((k) => sortHeader(k, sort)), "Paths (30 days)"],
          accounts.map((row) => accountRow(row, now)),
        );
  return html`<section id="callers"><h2>Who still calls v1</h2>
<p class="sort">Sort by: ${SORT_KEYS.map((k, i) => html`${i === 0 ? "" : " · "}${sortLink(k, sort)}`)}</p>
${table}
<p class="muted">Errors: the share of the last 30 days' calls that were refused or failed. Replays: identical orders answered with the
earlier one. p50 · p99: the times of the orders of the last 24 h that reached v2 or the ledger. Silent for 30 days: migrated.</p></section>`;
}

function volumeSection({ volume }: DashboardData): Html {
  return html`<section id="volume"><h2>Legacy requests per day, last 30 days (UTC)</h2>
${volumeChart(volume, WIDE)}${volumeChart(volume, NARROW)}${volumeLegend(volume)}${volumeTable(volume)}</section>`;
}

function orderTable(rows: readonly OrderRow[], empty: string, now: number): Html {
  if (rows.length === 0) return html`<p class="muted">${empty}</p>`;
  return stackTable(
    ["Account", "alternative_order_id", "State", html`<th class="n" scope="col">Placed</th>`, "Look it up in v2"],
    rows.map(
      (r) =>
        html`<tr class="order" data-order="${r.alternative_order_id}">${cell("Account", html`<span class="id">${r.account_id}</span>`)}${cell("Order", codeText(r.alternative_order_id), "wide")}${cell("State", `${r.state}${r.v2_order_id === null ? "" : ` (${r.v2_order_id})`}`)}${cell("Placed", when(r.created_at, now), "n")}${cell("Look it up", codeText(r.curl), "wide")}</tr>`,
    ),
  );
}

function ordersSection({ orders, now }: DashboardData): Html {
  return html`<section id="orders"><h2>Orders that need someone</h2>
<h3>Unknown: v2 may hold them</h3>${orderTable(orders.unknown, "None.", now)}
<h3>Settled after their request, last 7 days</h3>${orderTable(orders.settledLater, "None.", now)}
<p class="muted"><code>$KEY</code> is the account's v2 API key: the page never shows it.</p></section>`;
}

function pacingSection({ health, now }: DashboardData): Html {
  const rows = health.pacing;
  const body =
    rows.length === 0
      ? html`<p class="muted">No calls paced just now.</p>`
      : stackTable(
          ["Key digest", html`<th class="n" scope="col">Calls</th>`, html`<th class="n" scope="col">Saturation</th>`, "Held back by v2"],
          rows.map(
            (r) =>
              html`<tr class="pace">${cell("Key digest", codeText(r.key))}${cell("Calls", `${countText(r.calls)} of ${countText(r.limit)} per ${r.windowMs / 1000} s`, "n wide")}${cell("Saturation", shareText(r.saturation), "n")}${cell("Held back", r.held_until === null ? "no" : html`until ${when(r.held_until, now)}`)}</tr>`,
          ),
        );
  return html`<section id="pacing"><h2>Pacing toward v2, per key (by digest)</h2>${body}</section>`;
}

/**
 * The page's sections, in order: each a function of the data. A new view is a
 * function added here (and its data in DashboardData), nothing else.
 */
export const SECTIONS: readonly ((data: DashboardData) => Html)[] = [
  healthSection,
  refusalsSection,
  callersSection,
  (data) => (data.migration ? migrationSection(data.migration) : html``),
  volumeSection,
  failuresSection,
  ordersSection,
  pacingSection,
];

function headerOf(data: DashboardData): Html {
  const { headline, unverified, traffic, now } = data;
  const perMinute = traffic.lastHour / 60;
  const rate = perMinute === 0 || perMinute >= 10 ? String(Math.round(perMinute)) : perMinute.toFixed(1);
  return html`<header><h1>v1 migration dashboard</h1>
<p class="headline" id="headline"><strong>${headline.calling} of ${headline.accounts}</strong> accounts still call v1 <span class="muted">(verified accounts; silent for 30 days: migrated)</span></p>
<p id="unverified">${
    unverified
      ? html`Unverified callers, counted apart (credentials not accepted): ${countText(unverified.last24h)} requests in 24 h, ${countText(unverified.last30d)} in 30 days; last ${when(unverified.last_seen, now)}`
      : "No unverified callers in 30 days."
  }</p>
<p id="traffic">Legacy requests: <strong>${countText(traffic.lastHour)}</strong> in the last full hour (${rate} a minute), ${countText(traffic.thisHour)} in this one so far (${traffic.minutesIntoHour} min)</p>
<p class="muted">As of <time datetime="${isoText(now)}" title="${isoText(now)}">${dateText(now)}</time> · reloads every ${RELOAD_SECONDS} s</p></header>`;
}

export function dashboardPage(data: DashboardData): Html {
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<noscript><meta http-equiv="refresh" content="${RELOAD_SECONDS}"></noscript><meta name="referrer" content="no-referrer">
<title>v1 shim: migration dashboard</title><style>${raw(STYLE)}</style><script>${raw(SCRIPT)}</script></head>
<body>${headerOf(data)}
<main>
${SECTIONS.map((section) => section(data))}
</main></body></html>`;
}
