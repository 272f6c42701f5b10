import { html } from "hono/html";
import type { HtmlEscapedString } from "hono/utils/html";
import { DAY_MS, type Volume } from "./aggregate.js";

// The volume chart, drawn on the server as inline SVG: no script, no library.

const WIDTH = 720;
const HEIGHT = 220;
const PAD = { left: 44, right: 12, top: 12, bottom: 28 };
/** Dark enough on white for lines and text (WCAG 3:1 for graphics at least). */
export const LINE_COLOURS = ["#1f2937", "#1d4ed8", "#b45309", "#047857", "#b91c1c", "#6d28d9"];

const dayText = (ms: number) => new Date(ms).toISOString().slice(0, 10);

export function volumeChart(volume: Volume): HtmlEscapedString | Promise<HtmlEscapedString> {
  const days = volume.series[0]?.perDay.length ?? 0;
  const top = Math.max(1, ...volume.series.flatMap((s) => s.perDay));
  const x = (i: number) => PAD.left + (i * (WIDTH - PAD.left - PAD.right)) / Math.max(1, days - 1);
  const y = (n: number) => HEIGHT - PAD.bottom - (n * (HEIGHT - PAD.top - PAD.bottom)) / top;
  const lines = volume.series.map((s, k) => {
    const colour = LINE_COLOURS[k % LINE_COLOURS.length];
    const points = s.perDay.map((n, i) => `${x(i).toFixed(1)},${y(n).toFixed(1)}`).join(" ");
    return html`<polyline class="series" data-series="${s.name}" fill="none" stroke="${colour}" stroke-width="${k === 0 ? 3 : 1.5}" points="${points}"></polyline>`;
  });
  // One mark per day with traffic on the line for all, its count in a tooltip.
  const all = volume.series[0]?.perDay ?? [];
  const marks = all.map((n, i) =>
    n > 0
      ? html`<circle class="day" data-day="${dayText(volume.firstDay + i * DAY_MS)}" cx="${x(i).toFixed(1)}" cy="${y(n).toFixed(1)}" r="3" fill="${LINE_COLOURS[0]}"><title>${dayText(volume.firstDay + i * DAY_MS)}: ${n}</title></circle>`
      : "",
  );
  const last = volume.firstDay + (days - 1) * DAY_MS;
  return html`<svg class="chart" viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-label="Legacy requests per day, last ${days} days">
  <line x1="${PAD.left}" y1="${HEIGHT - PAD.bottom}" x2="${WIDTH - PAD.right}" y2="${HEIGHT - PAD.bottom}" stroke="#4b5563"></line>
  <line x1="${PAD.left}" y1="${PAD.top}" x2="${PAD.left}" y2="${HEIGHT - PAD.bottom}" stroke="#4b5563"></line>
  <text x="${PAD.left - 6}" y="${PAD.top + 10}" text-anchor="end" font-size="12" fill="#111827">${top}</text>
  <text x="${PAD.left - 6}" y="${HEIGHT - PAD.bottom}" text-anchor="end" font-size="12" fill="#111827">0</text>
  <text x="${PAD.left}" y="${HEIGHT - 8}" font-size="12" fill="#111827">${dayText(volume.firstDay)}</text>
  <text x="${WIDTH - PAD.right}" y="${HEIGHT - 8}" text-anchor="end" font-size="12" fill="#111827">${dayText(last)}</text>
  ${lines}${marks}
</svg>
<ul class="legend">${volume.series.map(
    (s, k) =>
      html`<li><span class="swatch" style="background:${LINE_COLOURS[k % LINE_COLOURS.length]}"></span>${k === 0 ? "all accounts" : s.name} (${s.perDay.reduce((a, b) => a + b, 0)})</li>`,
  )}</ul>`;
}
