import { beforeAll, describe, expect, it } from "vitest";
import type { CaptureRecord } from "../src/capture/record.js";
import { REPLAY_RULES } from "../src/cli/replay-compare.js";
import { DEFAULT_PLATFORM_TABLES } from "../src/contract/platforms.js";
import { hashFast, writeAccountsFile } from "./support/accounts.js";
import { capturedRun, seedOrder } from "./support/captured-run.js";
import { runCli } from "./support/cli.js";
import { basicAuth, sendHttpMessage } from "./support/http-files.js";
import { freePort } from "./support/redis.js";
import { startShim } from "./support/shim.js";
import { tempDir, writeTempFile } from "./support/temp-files.js";

// Captures of real runs of the shim (listening, on the recording fake v2), replayed
// by the built command line against the built shim (npm run build, vitest's global setup):
// the command line is a process of its own, so it reaches the shim by a URL.

/** The platform tables with one rule changed: the legacy EV platform 2 goes to v2 as 20, not -1. */
function platformsWithEvPlatform2As20(): string {
  const tables = structuredClone(DEFAULT_PLATFORM_TABLES);
  tables.code_signing_ev.find((platform) => platform.v1_id === 2)!.v2_id = 20;
  return writeTempFile("platforms.json", tables);
}

const json = (stdout: string) => JSON.parse(stdout);

/** One capture of the run most tests replay, taken once: they only read it. */
let shared: { dir: string; records: CaptureRecord[] };
beforeAll(async () => {
  const dir = tempDir("replay-");
  shared = { dir, records: (await capturedRun(dir)).records };
});

describe("v1-shim replay", () => {
  it("replays a capture of a real run against the same build with no difference (JSON, XML, refusals, a lost answer, details)", async () => {
    const { dir, records } = shared;
    expect(records).toHaveLength(10);
    const run = await runCli(["replay", "--json", dir]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const report = json(run.stdout);
    expect(report).toMatchObject({
      v2_compared: true,
      replayed: 10,
      same: 10,
      different: 0,
      skipped: [],
      changes: [],
      unreadable: [],
      exit: 0,
    });
    expect(report.candidate).toMatch(/dist\/shim\.mjs$/);
  });

  it("reports a translation rule changed in the candidate, naming the field, the number of requests and an example", async () => {
    const { dir, records } = shared;
    // The orders of EV platform 2 that reached v2: JSON, XML, the two v2 refused (a contact, a key), the lost answer.
    const evPlatform2 = records.filter((r) => r.v2.some((c) => c.call === "create_order" && c.path.endsWith("code_signing_ev")));
    expect(evPlatform2).toHaveLength(5);
    const run = await runCli(["replay", "--json", dir], { env: { SHIM_PLATFORMS_FILE: platformsWithEvPlatform2As20() } });
    expect(run.code).toBe(1);
    const report = json(run.stdout);
    expect(report).toMatchObject({ replayed: 10, same: 5, different: 5, exit: 1 });
    expect(report.changes).toEqual([
      {
        field: "v2 create_order: certificate.server_platform.id",
        requests: 5,
        example: { req_id: evPlatform2[0]!.req_id, at: evPlatform2[0]!.at, request: "POST /order/code", was: -1, now: 20 },
      },
    ]);
    const text = await runCli(["replay", dir], { env: { SHIM_PLATFORMS_FILE: platformsWithEvPlatform2As20() } });
    expect(text.code).toBe(1);
    expect(text.stdout).toContain("v2 create_order: certificate.server_platform.id: 5 requests\n  e.g. POST /order/code (req ");
    expect(text.stdout).toContain("was -1, now 20");
    expect(text.stdout).toMatch(
      /^Replayed 10 captured requests against .*dist\/shim\.mjs \(v2 answering as captured\)\.\nSame: 5\. Different: 5\. Not replayed: 0\.\n/,
    );
  }, 60_000);

  it("runs the candidate without the migration plan, which judges each call at the time it is made", async () => {
    // A plan under which every call would now be refused, were it passed on.
    const plan = writeTempFile("plan.json", { default: { deprecation: "2020-01-01", sunset: "2020-06-30", after_sunset: "refuse" } });
    const run = await runCli(["replay", "--json", shared.dir], { env: { SHIM_MIGRATION_PLAN_FILE: plan } });
    expect(json(run.stdout)).toMatchObject({ replayed: 10, same: 10, different: 0 });
    expect(run.code).toBe(0);
  });

  it("reports answers that changed: the order id's form, in order answers and in details", async () => {
    const run = await runCli(["replay", "--json", shared.dir], { env: { SHIM_ORDER_ID_FORMAT: "padded" } });
    expect(run.code).toBe(1);
    const fields = json(run.stdout).changes.map((c: { field: string; requests: number }) => `${c.field}: ${c.requests}`);
    // The orders answered in JSON (EV, non-EV, the lost answer) and in XML; the details in JSON, and in XML by the override.
    expect(fields).toEqual(
      expect.arrayContaining([
        "v1 body: order_id: 3",
        "v1 body: response.order_id: 1",
        "v1 body: certificate_details.order_id: 1",
        "v1 body: response.certificate_details.order_id: 1",
      ]),
    );
  });

  it("does not replay a client's retry that the shim answered with an earlier order, and says so", async () => {
    const dir = tempDir("replay-retry-");
    const shim = await startShim({ SHIM_CAPTURE_DIR: dir, SHIM_RETRY_WINDOW_MS: "600000" });
    const auth = basicAuth("001007", "skyfall");
    const first = await sendHttpMessage(shim.url, seedOrder(auth));
    const retry = await sendHttpMessage(shim.url, seedOrder(auth));
    expect(retry.text).toBe(first.text);
    await shim.close();
    const run = await runCli(["replay", "--json", dir]);
    expect(run.code).toBe(0);
    expect(json(run.stdout)).toMatchObject({
      replayed: 1,
      same: 1,
      skipped: [{ req_id: retry.headers["x-request-id"], reason: "a client's retry, answered with an earlier order" }],
    });
  });

  it("replays a capture taken in accounts mode with the accounts as the capture saw them", async () => {
    const dir = tempDir("replay-accounts-");
    const accountsFile = writeAccountsFile({
      accounts: [{ account_id: "001007", key_hash: await hashFast("skyfall"), digicert_api_key_env: "DC_KEY", container_id: 42 }],
    });
    const { records } = await capturedRun(dir, { env: { SHIM_ACCOUNTS_FILE: accountsFile, DC_KEY: "v2-key" } });
    expect(records[0]!.v2[0]!.body).toMatchObject({ container: { id: 42 } });
    // The wrong key was refused by the accounts file then, and must be now.
    expect(records.at(-1)).toMatchObject({ credentials: "refused", answer: { status: 401 }, v2: [] });
    const run = await runCli(["replay", "--json", dir]);
    expect(run.stderr).toBe("");
    expect(json(run.stdout)).toMatchObject({ replayed: 10, same: 10, different: 0 });
    expect(run.code).toBe(0);
  }, 60_000);

  it("with --url and --v2-port, replays to a running shim and answers its v2 calls as captured", async () => {
    const port = await freePort();
    const shim = await startShim({ DIGICERT_API_URL: `http://127.0.0.1:${port}/services/v2`, SHIM_RETRY_BASE_MS: "1" });
    const run = await runCli(["replay", "--json", "--url", shim.url, "--v2-port", String(port), shared.dir]);
    expect(run.stderr).toBe("");
    expect(json(run.stdout)).toMatchObject({ candidate: shim.url, v2_compared: true, replayed: 10, same: 10 });
  });

  it("with --url alone, compares the answers only, and the order id by its form", async () => {
    // A shim on its sandbox: its own orders, with ids of its own.
    const shim = await startShim({});
    const run = await runCli(["replay", "--json", "--url", shim.url, shared.dir]);
    const report = json(run.stdout);
    expect(report.v2_compared).toBe(false);
    type Change = { field: string; example: { was: unknown; now: unknown } };
    const changes: Change[] = report.changes;
    expect(changes.filter((c) => c.field.startsWith("v2 ") || c.field === "v1 header etag")).toEqual([]);
    // The sandbox numbers its orders as it likes: an order id answered both times is the same by its form.
    const bothAnswered = changes.filter((c) => c.field.endsWith("order_id") && c.example.was !== undefined && c.example.now !== undefined);
    expect(bothAnswered).toEqual([]);
    // What v2 did then and the sandbox does now differs, and is reported: the refusal scripted then, the details of an order it never made.
    expect(changes.map((c) => c.field)).toEqual(expect.arrayContaining(["v1 status", "v1 body: certificate_details"]));
  });

  it("lists what it does not compare, and why, with --explain", async () => {
    const run = await runCli(["replay", "--explain"]);
    expect(run.code).toBe(0);
    for (const { rule, why } of REPLAY_RULES) expect(run.stdout).toContain(`- ${rule}\n  (${why})\n`);
    expect(run.stdout).toContain("alternative_order_id");
  });

  it("exits 2 when it cannot run: no records, no build where --shim says, a candidate that will not start", async () => {
    const empty = await runCli(["replay", tempDir("replay-empty-")]);
    expect(empty).toMatchObject({ code: 2, stdout: "" });
    expect(empty.stderr).toMatch(/^v1-shim replay: no capture records in /);
    const { dir } = shared;
    const noBuild = await runCli(["replay", "--shim", tempDir("no-build-"), dir]);
    expect(noBuild.code).toBe(2);
    expect(noBuild.stderr).toMatch(/^v1-shim replay: no shim build at /);
    const wontStart = await runCli(["replay", dir], { env: { SHIM_PLATFORMS_FILE: "/nonexistent/platforms.json" } });
    expect(wontStart.code).toBe(2);
    expect(wontStart.stderr).toMatch(
      /^v1-shim replay could not start .*shim\.mjs: it exited \(1\) before it listened\n.*SHIM_PLATFORMS_FILE/s,
    );
    const missing = await runCli(["replay", "/nonexistent/captures"]);
    expect(missing.code).toBe(2);
  }, 60_000);
});
