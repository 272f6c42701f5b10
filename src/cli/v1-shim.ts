#!/usr/bin/env node
// First: on an older Node it stops the start, saying what is needed, before any other module runs.
import "../config/supported-node.js";
import { parseArgs } from "node:util";
import { z } from "zod";
import { ConfigError, loadConfig } from "../config/config.js";
import { V1Error } from "../contract/v1-errors.js";
import type { ShownRequest } from "../contract/v2.js";
import { renderErrors } from "../http/render.js";
import { ALTERNATIVE_ORDER_ID_PLACEHOLDER, orderTranslator, shownRequest } from "../mapping/order-pipeline.js";
import { fixtureCommand, harCommand, replayCommand } from "./capture-commands.js";
import { configReport, renderConfig } from "./config-command.js";
import { renderDoctor, runDoctor } from "./doctor.js";
import { Exit, messageOf, usageError } from "./exit.js";
import { parseV2Payload, readInput, v1FormatOf } from "./inputs.js";
import { describeDifference, payloadDifferences } from "./payload-diff.js";
import { runPlan } from "./plan.js";

const USAGE = `Usage:
  v1-shim translate V1_FILE          print the v2 request the shim sends for a v1 POST /order/code body
  v1-shim diff V1_FILE V2_FILE       compare it with what a v2 client sends: an order body, or {"method","path","body"}
  v1-shim doctor [--json]            check, with read-only v2 calls, that the server's v2 side will work
  v1-shim plan [FILE] [--at TIME] [--json]
                                     check the migration plan, and print each account's stage in it at TIME (now)
  --json                  doctor, config, replay: as JSON; plan: the stages as JSON

  V1_FILE is JSON, or XML when its first non-blank character is "<"; "-" reads standard input.

Options:
  --container-id N        translate as an accounts-mode account ordering in container N
  --organization-id N     ... ordering for the existing organization N (the contact as the order's organization_contact)
  --add-verified-contact  ... with --organization-id, adding the contact to it as a verified contact instead
  --json                  doctor, config, replay: as JSON; plan: the stages as JSON
  --at TIME               plan: an ISO 8601 date or time with its offset (2027-02-01T14:30:00Z)
  --shim PATH             replay: the build to start (a dist/ folder, its shim.mjs, or a checkout); default this one
  --url URL               replay: a running shim instead (point it at --v2-port for its v2 calls to be compared)
  --v2-port N             replay: the port of replay's v2, which answers as the capture recorded
  --explain               replay: what is not compared, and why
  -h, --help              this text

SHIM_PLATFORMS_FILE replaces the platform tables, as it does for the server.
replay passes its environment on to the shim it starts (SHIM_PLATFORMS_FILE, SHIM_ORDER_ID_FORMAT, ...);
with --url, V1_SHIM_REPLAY_KEY is the legacy key it sends (by default a made-up one, as passthrough takes).
Exit: translate 0, or 1 when the shim refuses the request (its v1 errors on stderr);
      diff 0 when both order the same, 1 when they differ;
      doctor 0 when every check is ok (or a warning), 1 when one failed, 2 when it could not run;
      plan 0 when the plan is sound, 1 when the server would refuse it (each problem on stderr);
      config 0 when the configuration is valid, 1 when it is not;
      replay 0 when nothing differs, 1 when something does, 2 when it could not run;
      2 for a usage or file error, and for diff also a request the shim refuses.
doctor reads the server's own settings (DIGICERT_API_URL, SHIM_ACCOUNTS_FILE or
DIGICERT_API_KEY, SHIM_V2_RATE_LIMITS, ...) and never places, changes or cancels anything.
plan reads FILE, or else SHIM_MIGRATION_PLAN_FILE, or else SHIM_DEPRECATION_DATE,
SHIM_SUNSET_DATE and SHIM_MIGRATION_URL, as the server does.
`;

const idSchema = z
  .string()
  .regex(/^[1-9]\d*$/, "must be a positive whole number")
  .transform(Number);

async function main(args: string[]): Promise<number> {
  const { values, positionals } = parsedArguments(args);
  const [command, v1File, v2File, ...extra] = positionals;
  if (values.help || command === undefined) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (command === "replay") return replayCommand(positionals.slice(1), values);
  if (command === "capture-to-har") return harCommand(positionals.slice(1));
  if (command === "capture-to-fixture") return fixtureCommand(positionals.slice(1));
  if (command === "doctor" && v1File === undefined) {
    const report = await runDoctor(process.env);
    if (values.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    else if (report.checks.length === 0) throw new Exit(2, `v1-shim doctor could not run: ${report.problem}`);
    else process.stdout.write(renderDoctor(report));
    return report.exit;
  }
  if (command === "config" && v1File === undefined) {
    const report = configReport(process.env);
    process.stdout.write(values.json ? `${JSON.stringify({ settings: report }, null, 2)}\n` : renderConfig(report));
    return 0;
  }
  if (command === "plan" && v2File === undefined) {
    process.stdout.write(runPlan(v1File, values, process.env));
    return 0;
  }
  if (values.at !== undefined) throw usageError("--at is for plan (see v1-shim --help)");
  const account = {
    containerId: parseId("--container-id", values["container-id"]),
    organizationId: parseId("--organization-id", values["organization-id"]),
    addVerifiedContact: values["add-verified-contact"],
  };
  const translator = orderTranslator(platformsOnlyConfig().platforms);
  /** What the shim sends for a v1 body; its refusal exits with `refused` and the v1 errors it would answer. */
  const translate = async (file: string, refused: 1 | 2): Promise<ShownRequest> => {
    const text = await readInput(file);
    try {
      return shownRequest(translator(v1FormatOf(text), text, account, ALTERNATIVE_ORDER_ID_PLACEHOLDER));
    } catch (error) {
      // JSON whatever the body's format: one shape for a CI job to read.
      if (error instanceof V1Error) throw new Exit(refused, renderErrors("json", error.errors).text);
      throw error;
    }
  };

  if (command === "translate" && v1File !== undefined && v2File === undefined) {
    process.stdout.write(`${JSON.stringify(await translate(v1File, 1), null, 2)}\n`);
    return 0;
  }
  if (command === "diff" && v1File !== undefined && v2File !== undefined && extra.length === 0) {
    if (v1File === "-" && v2File === "-") throw usageError("only one of the files can be standard input");
    const shim = await translate(v1File, 2);
    const differences = payloadDifferences(shim, parseV2Payload(v2File, await readInput(v2File)));
    process.stdout.write(
      differences.length === 0
        ? "Same order: yours sends what the shim sends (alternative_order_id and the order of contacts aside).\n"
        : differences.map((difference) => `${describeDifference(difference)}\n`).join(""),
    );
    return differences.length === 0 ? 0 : 1;
  }
  throw usageError(
    `expected "translate V1_FILE", "diff V1_FILE V2_FILE", "doctor", "config", "plan [FILE]", "replay CAPTURES", "capture-to-har CAPTURES" or "capture-to-fixture CAPTURES REQ_ID" (see v1-shim --help)`,
  );
}

function parsedArguments(args: string[]) {
  try {
    return parseArgs({
      args,
      allowPositionals: true,
      options: {
        "container-id": { type: "string" },
        "organization-id": { type: "string" },
        "add-verified-contact": { type: "boolean" },
        json: { type: "boolean" },
        at: { type: "string" },
        shim: { type: "string" },
        url: { type: "string" },
        "v2-port": { type: "string" },
        explain: { type: "boolean" },
        compare: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (error) {
    throw usageError(`${messageOf(error)} (see v1-shim --help)`);
  }
}

function parseId(option: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const id = idSchema.safeParse(value);
  if (!id.success) throw usageError(`${option} ${id.error.issues[0]?.message ?? "is invalid"}, not "${value}"`);
  return id.data;
}

/** Only the platform tables shape a translation: nothing else the server needs is asked for. */
function platformsOnlyConfig() {
  try {
    return loadConfig({ SHIM_PLATFORMS_FILE: process.env.SHIM_PLATFORMS_FILE });
  } catch (error) {
    if (error instanceof ConfigError) throw usageError(error.message);
    throw error;
  }
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  process.stderr.write(`${error instanceof Exit ? error.message : error instanceof Error ? error.stack : String(error)}\n`);
  // 1 says "refused" or "different"; a failure of the command itself must not read as that.
  process.exitCode = error instanceof Exit ? error.code : 2;
}
