import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import type { CaptureRecord } from "../src/capture/record.js";
import { fixtureFiles } from "../src/cli/capture-fixture.js";
import { hashFast, writeAccountsFile } from "./support/accounts.js";
import { capturedRun } from "./support/captured-run.js";
import { runCli } from "./support/cli.js";
import { runFixtureCase } from "./support/fixture-case.js";
import { tempDir, writeTempFile } from "./support/temp-files.js";

// The command line's other capture tools, on captures of real runs of the shim.

/** What HAR 1.2 requires of a log (softwareishard.com/blog/har-12-spec), as a tool reading one relies on it. */
const nameValue = z.object({ name: z.string(), value: z.string() });
const harSchema = z.object({
  log: z.object({
    version: z.literal("1.2"),
    creator: z.object({ name: z.string(), version: z.string() }),
    entries: z.array(
      z.object({
        startedDateTime: z.iso.datetime(),
        time: z.number().nonnegative(),
        request: z.object({
          method: z.string(),
          url: z.url(),
          httpVersion: z.string(),
          cookies: z.array(z.unknown()),
          headers: z.array(nameValue),
          queryString: z.array(nameValue),
          postData: z.object({ mimeType: z.string(), text: z.string() }).optional(),
          headersSize: z.number(),
          bodySize: z.number(),
        }),
        response: z.object({
          status: z.number().int(),
          statusText: z.string(),
          httpVersion: z.string(),
          cookies: z.array(z.unknown()),
          headers: z.array(nameValue),
          content: z.object({ size: z.number(), mimeType: z.string(), text: z.string().optional() }),
          redirectURL: z.string(),
          headersSize: z.number(),
          bodySize: z.number(),
        }),
        cache: z.object({}),
        timings: z.object({ send: z.number(), wait: z.number(), receive: z.number() }),
      }),
    ),
  }),
});

/** One capture of the run most tests read, taken once. */
let shared: { dir: string; records: CaptureRecord[] };
beforeAll(async () => {
  const dir = tempDir("capture-tools-");
  shared = { dir, records: (await capturedRun(dir)).records };
});

describe("v1-shim capture-to-har", () => {
  it("writes the captures as HAR 1.2: each legacy request, then each v2 call it made, without a credential", async () => {
    const { dir, records } = shared;
    const run = await runCli(["capture-to-har", dir]);
    expect(run).toMatchObject({ code: 0, stderr: "" });
    const entries = harSchema.parse(JSON.parse(run.stdout)).log.entries;
    // The shim's own fields, which HAR allows when they begin with an underscore.
    const raw = JSON.parse(run.stdout).log.entries;
    expect(entries).toHaveLength(records.length + records.reduce((n, r) => n + r.v2.length, 0));
    const lost = records.find((r) => r.log.recovered_by_lookup)!;
    const lostAt = entries.findIndex((e) => e.response.headers.some((h) => h.name === "x-request-id" && h.value === lost.req_id));
    expect(
      entries.slice(lostAt, lostAt + 3).map((e) => `${e.request.method} ${new URL(e.request.url).pathname} ${e.response.status}`),
    ).toEqual([
      "POST /order/code 201",
      "POST /services/v2/order/certificate/code_signing_ev 0",
      `GET /services/v2/order/alternate/${lost.log.alternative_order_id} 200`,
    ]);
    expect(raw[lostAt]).toMatchObject({ _req_id: lost.req_id, _account_id: "001007", _credentials: "accepted" });
    expect(raw[lostAt + 1]).toMatchObject({ _req_id: lost.req_id, _v2_call: "create_order", response: { _error: expect.any(String) } });
    const names = entries.flatMap((e) => e.request.headers.map((h) => h.name.toLowerCase()));
    expect(names).not.toContain("authorization");
    expect(names).not.toContain("x-dc-devkey");
  });
});

describe("v1-shim capture-to-fixture", () => {
  it("makes each captured request a case of test/fixtures that passes against the shim that captured it", async () => {
    const dir = tempDir("to-fixture-");
    const accountsFile = writeAccountsFile({
      accounts: [{ account_id: "002008", key_hash: await hashFast("goldeneye"), digicert_api_key_env: "DC_KEY_X", organization_id: 12345 }],
    });
    const passthrough = await capturedRun(join(dir, "passthrough"));
    const accounts = await capturedRun(join(dir, "accounts"), {
      accountId: "002008",
      key: "goldeneye",
      env: { SHIM_ACCOUNTS_FILE: accountsFile, DC_KEY_X: "v2-key-x", SHIM_ORDER_ID_FORMAT: "padded" },
    });
    // Every record made a case as the command makes it (the command itself is run below), then each case run.
    const cases: { record: CaptureRecord; folder: string }[] = [];
    for (const record of [...passthrough.records, ...accounts.records]) {
      const folder = join(dir, "cases", record.req_id);
      mkdirSync(folder, { recursive: true });
      const files = await fixtureFiles(record, relative(process.cwd(), join(folder, "accounts.json")));
      for (const [name, content] of Object.entries(files)) writeFileSync(join(folder, name), content);
      cases.push({ record, folder });
    }
    for (const { record, folder } of cases) {
      await expect(runFixtureCase(folder), `${record.request.method} ${record.request.target} (${record.req_id})`).resolves.toBeUndefined();
    }
    // The files a reader follows: the lost answer is a dropped connection, then the look-up as v2 answered it.
    const lost = cases.find(({ record }) => record.log.recovered_by_lookup && record.shim.mode === "passthrough")!;
    expect(readdirSync(lost.folder).sort()).toEqual(["v1-answer.http", "v1-request.http", "v2-answer.json", "v2-request.json"]);
    expect(JSON.parse(readFileSync(join(lost.folder, "v2-answer.json"), "utf8"))).toEqual([
      { for: "order", drop: true },
      {
        for: "lookup",
        status: 200,
        body: expect.objectContaining({ orders: [expect.objectContaining({ order_id: expect.any(Number) })] }),
      },
    ]);
    expect(readFileSync(join(lost.folder, "v2-request.json"), "utf8")).toContain('"path": "/order/alternate/<alternative_order_id>"');
    const inAccounts = cases.find(({ record }) => record.shim.mode === "accounts")!;
    expect(JSON.parse(readFileSync(join(inAccounts.folder, "shim-env.json"), "utf8"))).toMatchObject({ SHIM_ORDER_ID_FORMAT: "padded" });
  }, 120_000);

  it("is one command: the record named by (the start of) its id, written to a folder, as a case that passes", async () => {
    const { dir, records } = shared;
    const record = records.find((r) => r.request.headers["content-type"]?.endsWith("+xml"))!;
    const folder = join(tempDir("cases-"), "captured-xml-order");
    const run = await runCli(["capture-to-fixture", dir, record.req_id.slice(0, 13), folder]);
    expect(run).toMatchObject({ code: 0, stdout: `${folder}\n`, stderr: "" });
    expect(readFileSync(join(folder, "v1-request.http"), "utf8")).toMatch(/^POST \/order\/code HTTP\/1\.1\nAuthorization: Basic /);
    await runFixtureCase(folder);
  });

  it("exits 2 for an id no record has, and will not write over a folder", async () => {
    const { dir, records } = shared;
    expect(await runCli(["capture-to-fixture", dir, "no-such-id"])).toMatchObject({ code: 2 });
    const taken = tempDir("taken-");
    const run = await runCli(["capture-to-fixture", dir, records[0]!.req_id, taken]);
    expect(run).toMatchObject({ code: 2, stderr: `v1-shim capture-to-fixture: ${taken} exists already\n` });
  });
});

describe("v1-shim replay --compare", () => {
  /** A migrated client's orders, from the shim's own, changed as a hand-written client might. */
  function clientOrders(records: readonly CaptureRecord[]) {
    const sent = (name: string) => {
      const record = records.find((r) => r.v2.some((c) => c.call === "create_order" && JSON.stringify(c.body).includes(name)));
      const call = record!.v2.find((c) => c.call === "create_order")!;
      return { path: call.path, body: JSON.parse(JSON.stringify(call.body)) as Record<string, Record<string, unknown>> };
    };
    const same = sent("My Company");
    const lost = sent("Lost Answer Inc.");
    // The state left as the v1 client wrote it, the telephone dropped, and the second contact typed as a technical one.
    delete lost.body.organization!.telephone;
    lost.body.organization!.state = "FL";
    const contacts = lost.body.organization!.contacts as { contact_type: string }[];
    contacts[1]!.contact_type = "technical_contact";
    const unrelated = {
      path: "/order/certificate/code_signing",
      body: { certificate: { common_name: "elsewhere" }, order_validity: { days: 30 } },
    };
    return { same, lost, unrelated };
  }

  it("matches each order of a migrated client to the shim's for the same content, and names what it orders differently", async () => {
    const { dir, records } = shared;
    const { same, lost, unrelated } = clientOrders(records);
    const base = "https://www.digicert.com/services/v2";
    const lines = [
      { method: "POST", url: `${base}${same.path}`, body: same.body },
      { method: "GET", url: `${base}/order/alternate/abc` },
      { method: "POST", url: `${base}${lost.path}`, body: JSON.stringify(lost.body) },
      { method: "POST", path: unrelated.path, body: unrelated.body },
    ];
    const jsonLines = writeTempFile("client.jsonl", lines.map((line) => JSON.stringify(line)).join("\n"));
    const run = await runCli(["replay", "--json", "--compare", jsonLines, dir]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(1);
    const report = JSON.parse(run.stdout);
    expect(report).toMatchObject({ client_orders: 3, shim_orders: 6, same: 1, different: 1, exit: 1 });
    expect(report.unmatched).toEqual([{ where: "line 4", nearest_alike: 0 }]);
    expect(report.changes.map((c: { field: string; orders: number }) => `${c.field}: ${c.orders}`).sort()).toEqual([
      "organization.contacts.technical_contact: 1",
      "organization.contacts.verified_contact: 1",
      "organization.state: 1",
      "organization.telephone: 1",
    ]);
    const state = report.changes.find((c: { field: string }) => c.field === "organization.state");
    expect(state.example).toMatchObject({ where: "line 3", difference: 'organization.state: the shim sends "Florida", yours sends "FL"' });

    // The same client recorded as HAR (a browser's, a proxy's), read the same way.
    const har = {
      log: {
        version: "1.2",
        entries: lines.map((line) => ({
          request: {
            method: line.method,
            url: line.url ?? `${base}${line.path}`,
            ...(line.body === undefined
              ? {}
              : { postData: { text: typeof line.body === "string" ? line.body : JSON.stringify(line.body) } }),
          },
        })),
      },
    };
    const fromHar = await runCli(["replay", "--json", "--compare", writeTempFile("client.har", har), dir]);
    expect(JSON.parse(fromHar.stdout)).toMatchObject({ client_orders: 3, same: 1, different: 1, unmatched: [{ where: "entry 4" }] });
    const text = await runCli(["replay", "--compare", jsonLines, dir]);
    expect(text.stdout).toContain("organization.state: 1 order\n  e.g. line 3 (the shim's req ");
    expect(text.stdout).toContain("Not matched: line 4: no order of the captures has the same content");
  });

  it("exits 0 when the client orders what the shim ordered, and 2 when the recording holds no order", async () => {
    const { dir, records } = shared;
    const { same } = clientOrders(records);
    const run = await runCli(["replay", "--compare", writeTempFile("same.jsonl", JSON.stringify(same)), dir]);
    expect(run.stdout).toContain("Same: 1. Different: 0. Not matched: 0.");
    expect(run.code).toBe(0);
    const none = await runCli(["replay", "--compare", writeTempFile("none.jsonl", '{"method":"GET","url":"/order/alternate/x"}'), dir]);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/holds no v2 order/);
  });
});
