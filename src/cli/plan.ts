import { type Config, ConfigError, isoDate, loadConfig } from "../config/config.js";
import { brownoutsText, isoTime, type MigrationPlan, type StageReport, stageReport } from "../migration/plan.js";
import { migrationPlanFor } from "../migration/plan-file.js";
import { Exit, usageError } from "./exit.js";

const SHORTHAND = ["SHIM_DEPRECATION_DATE", "SHIM_SUNSET_DATE", "SHIM_MIGRATION_URL"] as const;

/** The settings that give the plan, checked as the server checks them: FILE alone, or the environment's. */
function planSettings(file: string | undefined, env: NodeJS.ProcessEnv): Config {
  const names = file === undefined ? ["SHIM_MIGRATION_PLAN_FILE", ...SHORTHAND] : [];
  try {
    return loadConfig({
      ...Object.fromEntries(names.map((name) => [name, env[name]])),
      SHIM_MIGRATION_PLAN_FILE: file ?? env.SHIM_MIGRATION_PLAN_FILE,
    });
  } catch (error) {
    if (error instanceof ConfigError) throw usageError(error.message);
    throw error;
  }
}

/** A plan the server would refuse to start with: exit 1, each problem on its line, naming the account and the field. */
function planOf(config: Config): MigrationPlan {
  try {
    return migrationPlanFor(config);
  } catch (error) {
    if (error instanceof ConfigError)
      throw new Exit(1, `The migration plan is refused:\n${error.problems.map((p) => `  - ${p}`).join("\n")}`);
    throw error;
  }
}

function timeOf(at: string | undefined, now: number): number {
  if (at === undefined) return now;
  const parsed = isoDate.safeParse(at);
  if (!parsed.success) throw usageError(`--at must be an ISO 8601 date or time with its offset, such as 2027-02-01T14:30:00Z, not "${at}"`);
  return parsed.data.getTime();
}

const DEFAULT_ROW = "(every other account)";

function table(rows: readonly (StageReport & { account: string })[]): string {
  const cells = [
    ["account", "stage", "deprecation", "sunset", "after sunset", "brownouts"],
    ...rows.map((r) => [r.account, r.stage, r.deprecation ?? "-", r.sunset ?? "-", r.after_sunset, brownoutsText(r)]),
  ];
  const widths = cells[0]!.map((_, i) => Math.max(...cells.map((row) => row[i]!.length)));
  return cells.map((row) => `${row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!))).join("  ")}\n`).join("");
}

/**
 * `v1-shim plan [FILE] [--at TIME] [--json]`: each account's stage in the
 * migration plan at a time (now by default), the plan checked as the server
 * checks it at start and on SIGHUP. What it prints; an Exit for a refused plan
 * (1) or a usage error (2).
 */
export function runPlan(
  file: string | undefined,
  options: { at?: string | undefined; json?: boolean | undefined },
  env: NodeJS.ProcessEnv,
): string {
  const at = timeOf(options.at, Date.now());
  const config = planSettings(file, env);
  const plan = planOf(config);
  const source = config.migrationPlanFile ?? SHORTHAND.join(", ");
  const accounts = [...plan.accounts.keys()]
    .sort()
    .map((account_id) => ({ account_id, ...stageReport(plan.accounts.get(account_id)!, at) }));
  const theDefault = stageReport(plan.default, at);
  if (options.json) return `${JSON.stringify({ at: isoTime(at), plan: source, default: theDefault, accounts }, null, 2)}\n`;
  const rows = [
    { account: DEFAULT_ROW, ...theDefault },
    ...accounts.map(({ account_id, ...report }) => ({ account: account_id, ...report })),
  ];
  return `The migration plan of ${source}, at ${isoTime(at)}:\n${table(rows)}`;
}
