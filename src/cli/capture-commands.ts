import { existsSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { harOf } from "../capture/har.js";
import { type ReadCaptures, readCaptures } from "../capture/read.js";
import { fixtureFiles, fixtureGroup } from "./capture-fixture.js";
import { capturedOrders, compareClientOrders, recordedOrders, renderClientReport } from "./client-compare.js";
import { Exit, messageOf, usageError } from "./exit.js";
import { readInput } from "./inputs.js";
import { renderReplay, runReplay } from "./replay.js";
import { REPLAY_RULES } from "./replay-compare.js";

/** The options of the capture commands, as parseArgs reads them. */
export interface CaptureOptions {
  json?: boolean | undefined;
  shim?: string | undefined;
  url?: string | undefined;
  "v2-port"?: string | undefined;
  explain?: boolean | undefined;
  compare?: string | undefined;
}

/** Every record of the captures named, or exit 2 saying why there are none. */
async function recordsOf(command: string, paths: readonly string[]): Promise<ReadCaptures> {
  if (paths.length === 0) throw usageError(`${command} needs capture files or folders (see v1-shim --help)`);
  const read = await readCaptures(paths).catch((error: unknown) => {
    throw new Exit(2, `v1-shim ${command}: cannot read the captures: ${messageOf(error)}`);
  });
  if (read.records.length === 0) throw new Exit(2, `v1-shim ${command}: no capture records in ${paths.join(", ")}`);
  return read;
}

const printed = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

/** `v1-shim replay [--compare RECORDING] CAPTURES...`: exit 0 the same, 1 differences, 2 could not run. */
export async function replayCommand(paths: string[], options: CaptureOptions): Promise<number> {
  if (options.explain) {
    process.stdout.write(REPLAY_RULES.map(({ rule, why }) => `- ${rule}\n  (${why})\n`).join(""));
    return 0;
  }
  if (options.compare !== undefined) return compareCommand(options.compare, paths, options);
  if (options.url === undefined && options["v2-port"] !== undefined) throw usageError("--v2-port goes with --url");
  const v2Port = parsePort(options["v2-port"]);
  const read = await recordsOf("replay", paths);
  const report = await runReplay({ records: read.records, url: options.url, shim: options.shim, v2Port, env: process.env });
  const exit = report.different > 0 ? 1 : 0;
  process.stdout.write(options.json ? printed({ ...report, unreadable: read.unreadable, exit }) : renderReplay(report, read.unreadable));
  return exit;
}

/** `v1-shim replay --compare RECORDING CAPTURES...`: a migrated client's v2 orders against the shim's. */
async function compareCommand(recording: string, paths: string[], options: CaptureOptions): Promise<number> {
  const { orders, unreadable } = recordedOrders(await readInput(recording));
  if (orders.length === 0) throw new Exit(2, `v1-shim replay --compare: ${recording} holds no v2 order (POST /order/certificate/…)`);
  const shim = capturedOrders((await recordsOf("replay --compare", paths)).records);
  if (shim.length === 0) throw new Exit(2, `v1-shim replay --compare: the captures hold no order the shim sent v2`);
  const report = compareClientOrders(shim, orders);
  const exit = report.different > 0 || report.unmatched.length > 0 ? 1 : 0;
  process.stdout.write(options.json ? printed({ ...report, unreadable, exit }) : renderClientReport(report, recording));
  return exit;
}

/** `v1-shim capture-to-har CAPTURES...`: HAR 1.2 on standard output. */
export async function harCommand(paths: string[]): Promise<number> {
  process.stdout.write(printed(harOf((await recordsOf("capture-to-har", paths)).records)));
  return 0;
}

/** `v1-shim capture-to-fixture CAPTURES REQ_ID [DIR]`: one request's case, written to a new folder. */
export async function fixtureCommand([captures, reqId, dir, ...extra]: string[]): Promise<number> {
  if (captures === undefined || reqId === undefined || extra.length > 0) {
    throw usageError(`expected "capture-to-fixture CAPTURES REQ_ID [DIR]" (see v1-shim --help)`);
  }
  const { records } = await recordsOf("capture-to-fixture", [captures]);
  const found = records.filter((record) => record.req_id.startsWith(reqId));
  if (found.length !== 1) {
    throw new Exit(
      2,
      `v1-shim capture-to-fixture: ${found.length === 0 ? "no" : "more than one"} request in ${captures} has the id ${reqId}`,
    );
  }
  const record = found[0]!;
  const folder = dir ?? join("test", "fixtures", fixtureGroup(record), `captured-${record.req_id.slice(0, 8)}`);
  if (existsSync(folder)) throw new Exit(2, `v1-shim capture-to-fixture: ${folder} exists already`);
  // The fixtures run from the repository's root; the accounts file is named as seen from here, which should be it.
  const files = await fixtureFiles(record, relative(process.cwd(), join(folder, "accounts.json")));
  await mkdir(folder, { recursive: true });
  for (const [name, content] of Object.entries(files)) await writeFile(join(folder, name), content);
  process.stdout.write(`${folder}\n`);
  return 0;
}

function parsePort(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const port = Number(value);
  if (!/^\d+$/.test(value) || port < 1 || port > 65535) throw usageError(`--v2-port must be a port number, not "${value}"`);
  return port;
}
