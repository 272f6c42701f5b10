import { html } from "hono/html";
import type { HtmlEscapedString } from "hono/utils/html";
import { DAY_MS, type Volume } from "./aggregate.js";
import { compactCount, countText, dayText } from "./format.js";

// The volume chart, drawn on the server as inline SVG: no script, no library.
// Its text is in the SVG's own units, so it scales with the width it is drawn
// at: the page draws it twice, for wide and for narrow screens (CSS shows one),
// each laid out so that its labels come out at 12 to 16 px.

type Html = HtmlEscapedString | Promise<HtmlEscapedString>;

/** Dark enough on white for lines and text (WCAG 3:1 for graphics at least). */
export const LINE_COLOURS = ["#1f2937", "#1d4ed8", "#b45309", "#047857", "#b91c1c", "#6d28d9"];

export interface ChartLayout {
  name: "wide" | "narrow";
  width: number;
  height: number;
  pad: { left: number; right: number; top: number; bottom: number };
  fontSize: number;
  /** A date under every this many days, counted back from today. */
  dayStep: number;
}

const layout = (name: ChartLayout["name"], width: number, height: number, left: number, right: number): ChartLayout => ({
  name,
  width,
  height,
  pad: { left, right, top: 14, bottom: 34 },
  fontSize: 13,
  dayStep: 7,
});
/** Drawn about 1,140 px wide at 1280 px: its text about 15 px. */
export const WIDE = layout("wide", 960, 260, 56, 24);
/** Drawn about 330 px wide at 390 px: its text about 12 px. */
export const NARROW = layout("narrow", 360, 240, 44, 22);

/** Round values for an axis from 0 to at least `max`, about `count` steps of 1, 2 or 5 times a power of ten (whole numbers). */
export function niceTicks(max: number, count = 4): number[] {
  if (max <= 0) return [0, 1];
  const raw = max / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = Math.max(1, [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= raw)!);
  const ticks: number[] = [];
  for (let n = 0; n < max + step; n += step) ticks.push(n);
  return ticks;
}

export function volumeChart(volume: Volume, layout: ChartLayout): Html {
  const { width, height, pad, fontSize } = layout;
  const days = volume.series[0]?.perDay.length ?? 0;
  const ticks = niceTicks(Math.max(0, ...volume.series.flatMap((s) => s.perDay)));
  const top = ticks.at(-1)!;
  const x = (i: number) => pad.left + (i * (width - pad.left - pad.right)) / Math.max(1, days - 1);
  const y = (n: number) => height - pad.bottom - (n * (height - pad.top - pad.bottom)) / top;
  const f = (n: number) => n.toFixed(1);
  const yAxis = ticks.map(
    (n) =>
      html`<line class="grid" x1="${pad.left}" y1="${f(y(n))}" x2="${width - pad.right}" y2="${f(y(n))}" stroke="${n === 0 ? "#4b5563" : "#e5e7eb"}"></line><text class="tick y" x="${pad.left - 6}" y="${f(y(n) + fontSize / 3)}" text-anchor="end" font-size="${fontSize}" fill="#111827">${compactCount(n)}</text>`,
  );
  const labelled = Array.from({ length: days }, (_, i) => i).filter((i) => (days - 1 - i) % layout.dayStep === 0);
  const xAxis = labelled.map(
    (i) =>
      html`<line x1="${f(x(i))}" y1="${height - pad.bottom}" x2="${f(x(i))}" y2="${height - pad.bottom + 4}" stroke="#4b5563"></line><text class="tick x" x="${f(x(i))}" y="${height - pad.bottom + 6 + fontSize}" text-anchor="middle" font-size="${fontSize}" fill="#111827">${dayText(volume.firstDay + i * DAY_MS)}</text>`,
  );
  const lines = volume.series.map((s, k) => {
    const points = s.perDay.map((n, i) => `${f(x(i))},${f(y(n))}`).join(" ");
    return html`<polyline class="series" data-series="${s.name}" fill="none" stroke="${LINE_COLOURS[k % LINE_COLOURS.length]}" stroke-width="${k === 0 ? 3 : 1.5}" points="${points}"></polyline>`;
  });
  // One mark per day with traffic on the line for all, its count in a tooltip.
  const marks = (volume.series[0]?.perDay ?? []).map((n, i) =>
    n > 0
      ? html`<circle class="day" data-day="${new Date(volume.firstDay + i * DAY_MS).toISOString().slice(0, 10)}" cx="${f(x(i))}" cy="${f(y(n))}" r="3.5" fill="${LINE_COLOURS[0]}"><title>${dayText(volume.firstDay + i * DAY_MS)}: ${countText(n)}</title></circle>`
      : "",
  );
  // The table after the chart gives screen readers the same numbers: the drawing is left out for them.
  return html`<svg class="chart ${layout.name}" viewBox="0 0 ${width} ${height}" aria-hidden="true" focusable="false">${yAxis}${xAxis}${lines}${marks}</svg>`;
}

/** The chart's numbers as a table, for screen readers (shown to no one else). */
export function volumeTable(volume: Volume): Html {
  const names = volume.series.map((s, k) => (k === 0 ? "all accounts" : s.name));
  // A table is never narrower than its content: the box that hides it is a div.
  return html`<div class="sr-only"><table><caption>Legacy requests per day (UTC)</caption>
<thead><tr><th scope="col">Day</th>${names.map((name) => html`<th scope="col">${name}</th>`)}</tr></thead>
<tbody>${(volume.series[0]?.perDay ?? []).map(
    (_, i) =>
      html`<tr><th scope="row">${dayText(volume.firstDay + i * DAY_MS)}</th>${volume.series.map((s) => html`<td>${s.perDay[i]}</td>`)}</tr>`,
  )}</tbody></table></div>`;
}

export function volumeLegend(volume: Volume): Html {
  return html`<ul class="legend">${volume.series.map(
    (s, k) =>
      html`<li><span class="swatch c${k % LINE_COLOURS.length}"></span><span class="id">${k === 0 ? "all accounts" : s.name}</span> (${countText(s.perDay.reduce((a, b) => a + b, 0))})</li>`,
  )}</ul>`;
}
