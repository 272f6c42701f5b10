import { type Config, ConfigError, readJsonFile } from "../config/config.js";
import { type MigrationPlan, parsePlan, planOfSettings } from "./plan.js";

const VARIABLE = "SHIM_MIGRATION_PLAN_FILE";

/**
 * Reads and checks the plan file. A ConfigError lists every problem at once,
 * naming the account and the field, and never quotes the file, which could be
 * a key file named by mistake.
 */
export function loadPlanFile(path: string): MigrationPlan {
  const file = readJsonFile(path);
  if ("problem" in file) throw new ConfigError([`${VARIABLE} ${file.problem}`]);
  const plan = parsePlan(file.content);
  if ("problems" in plan) throw new ConfigError(plan.problems.map((problem) => `${VARIABLE} ${problem}`));
  return plan;
}

/** The plan the settings give: the file, or else SHIM_DEPRECATION_DATE, SHIM_SUNSET_DATE and SHIM_MIGRATION_URL as its default. */
export const migrationPlanFor = (
  config: Pick<Config, "migrationPlanFile" | "deprecationDate" | "sunsetDate" | "migrationUrl">,
): MigrationPlan => (config.migrationPlanFile ? loadPlanFile(config.migrationPlanFile) : planOfSettings(config));
