import { html } from "hono/html";
import type { HtmlEscapedString } from "hono/utils/html";

// The dashboard's tables, one way for every section: below the page's narrow width
// (page.ts's style) a table is stacked rows, each cell labelled, so nothing scrolls sideways.

export type Html = HtmlEscapedString | Promise<HtmlEscapedString>;

/** A table that becomes stacked rows on a narrow screen: each cell says its column (`data-label`). */
export const stackTable = (head: readonly (string | Html)[], rows: readonly Html[]): Html =>
  html`<table class="stack"><thead><tr>${head.map((h) => (typeof h === "string" ? html`<th scope="col">${h}</th>` : h))}</tr></thead><tbody>${rows}</tbody></table>`;

/** A labelled cell; its classes: `n` for a number (right-aligned in a table), `wide` for one that takes a whole stacked row. */
export const cell = (label: string, content: unknown, classes = ""): Html =>
  html`<td${classes ? html` class="${classes}"` : ""} data-label="${label}">${content}</td>`;
