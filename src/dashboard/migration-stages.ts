import { html } from "hono/html";
import { brownoutsText, type Stage, type StageReport, stageReport } from "../migration/plan.js";
import type { PlanInUse } from "../migration/plan-in-use.js";
import { DURING_BROWNOUTS, isManyCallers } from "../observability/client-usage.js";
import type { ClientCounts } from "../state/store.js";
import { cell, type Html, stackTable } from "./tables.js";

// The dashboard's "Migration plan": each account's stage, and its calls during
// its brownouts, so that the teams to call are one glance. Apart from the rest of
// the page: its data and its section are this file's.

export interface StageRow extends StageReport {
  account_id: string;
  /** Calls made during the account's brownouts, refused or served, in the clients view's retention. */
  during_brownouts: number;
}

export interface MigrationStages {
  /** Every account the plan does not list. */
  default: StageReport;
  /** The plan's accounts and every account seen calling: those that called during a brownout first. */
  accounts: StageRow[];
}

/** Brownouts first: the stages that act on calls before those that only announce. */
const STAGE_ORDER: readonly Stage[] = ["brownout", "sunset", "deprecated", "active"];

export function migrationStages(plans: PlanInUse, clients: readonly ClientCounts[]): MigrationStages {
  const now = plans.now();
  const calls = new Map<string, number>(Array.from(plans.plan.accounts.keys(), (id) => [id, 0]));
  for (const client of clients) {
    if (!isManyCallers(client.account_id))
      calls.set(client.account_id, (calls.get(client.account_id) ?? 0) + (client.counts[DURING_BROWNOUTS] ?? 0));
  }
  const accounts = [...calls].map(([account_id, during_brownouts]) => ({
    account_id,
    ...stageReport(plans.stagesOf(account_id), now),
    during_brownouts,
  }));
  const rank = (row: StageRow) => STAGE_ORDER.indexOf(row.stage);
  accounts.sort(
    (a, b) =>
      b.during_brownouts - a.during_brownouts ||
      rank(a) - rank(b) ||
      (a.account_id < b.account_id ? -1 : a.account_id > b.account_id ? 1 : 0),
  );
  return { default: stageReport(plans.plan.default, now), accounts };
}

const STAGE_BADGES: Record<Stage, string> = { active: "ok", deprecated: "meh", brownout: "bad", sunset: "bad" };

function stageCells(row: StageReport): Html[] {
  const sunset = row.sunset ? html`${row.sunset}${row.after_sunset === "refuse" ? " (then refused)" : ""}` : "—";
  return [
    cell("Stage", html`<span class="badge ${STAGE_BADGES[row.stage]}">${row.stage}</span>`),
    cell("Deprecation", row.deprecation ?? "—"),
    cell("Sunset", sunset),
    cell("Brownouts", brownoutsText(row), "wide"),
  ];
}

const HEAD = ["Account", "Stage", "Deprecation", "Sunset", "Brownouts", html`<th class="n" scope="col">Calls during brownouts</th>`];

/** The section: the default first, then each account. */
export function migrationSection(stages: MigrationStages): Html {
  const every = html`<tr class="stage" data-stage-of="">${cell("Account", html`<em>every other account</em>`, "wide")}${stageCells(stages.default)}${cell("Calls during brownouts", "—", "n")}</tr>`;
  const rows = stages.accounts.map(
    (row) =>
      html`<tr class="stage" data-stage-of="${row.account_id}">${cell("Account", html`<strong>${row.account_id}</strong>`, "wide")}${stageCells(row)}${cell("Calls during brownouts", row.during_brownouts, "n")}</tr>`,
  );
  return html`<section id="migration"><h2>Migration plan</h2>${stackTable(HEAD, [every, ...rows])}
<p class="muted">Accounts that called during their brownouts come first: their teams have not moved yet.</p></section>`;
}
