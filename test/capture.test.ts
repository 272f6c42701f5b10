import { randomBytes } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { harOf } from "../src/capture/har.js";
import { readCaptures } from "../src/capture/read.js";
import { Capture } from "../src/capture/recorder.js";
import { loadConfig } from "../src/config/config.js";
import { createLogger } from "../src/observability/log.js";
import { V2Client } from "../src/v2/client.js";
import { Pacer } from "../src/v2/pacer.js";
import { createSandbox } from "../src/v2/sandbox.js";
import { inProcessTransport } from "../src/v2/transport.js";
import { hashFast, writeAccountsFile } from "./support/accounts.js";
import { inProcessApp } from "./support/app.js";
import { capturedRun, seedOrder } from "./support/captured-run.js";
import { eventually } from "./support/eventually.js";
import { startFakeV2 } from "./support/fake-v2.js";
import { basicAuth, getMessage, orderRequest, sendInProcess } from "./support/http-files.js";
import { type InProcessShim, inProcessShim } from "./support/shim.js";
import { tempDir, writeTempFile } from "./support/temp-files.js";

const AUTH = basicAuth("001007", "skyfall");

const metric = async (shim: Pick<InProcessShim, "adminRequest">, line: string) => {
  const text = await (await shim.adminRequest("/metrics")).text();
  return Number(text.match(new RegExp(`^${line.replace(/[{}"]/g, "\\$&")} (\\d+)`, "m"))?.[1] ?? 0);
};

describe("capture (SHIM_CAPTURE_DIR)", () => {
  it("keeps each legacy request: as received, the v2 calls it made with v2's answers, and what it answered", async () => {
    // Through a listening shim (capturedRun): a request is kept as Node read it from the client, an overridden
    // one as sent (a POST with its header), though the shim dispatched it again as the GET it names.
    const { steps, records } = await capturedRun(tempDir("capture-"));
    expect(records.map((r) => r.answer.status)).toEqual(steps.map((s) => s.answer.status));
    const byName = Object.fromEntries(steps.map((step, i) => [step.name, records[i]!]));

    const json = byName["json order"]!;
    expect(json).toMatchObject({
      capture: 1,
      req_id: steps[0]!.answer.headers["x-request-id"],
      shim: { mode: "passthrough", order_id_format: "number" },
      account_id: "001007",
      credentials: "accepted",
      request: {
        method: "POST",
        target: "/order/code",
        headers: { "content-type": "application/vnd.digicert.rest-v1+json", "user-agent": "MyAPIConsumer/0.42" },
        body: { as: "text", text: orderRequest().body },
      },
      answer: { status: 201, body: steps[0]!.answer.text },
    });
    expect(json.request.headers).not.toHaveProperty("authorization");
    expect(json.v2).toEqual([
      expect.objectContaining({
        call: "create_order",
        method: "POST",
        path: "/order/certificate/code_signing_ev",
        body: expect.objectContaining({ alternative_order_id: json.log.alternative_order_id }),
        answer: expect.objectContaining({ status: 201, body: expect.objectContaining({ id: JSON.parse(json.answer.body).order_id }) }),
      }),
    ]);

    expect(byName["xml order"]!.request.body).toEqual({ as: "text", text: orderRequest("seed-sample-xml").body });
    expect(byName["refused by validation"]).toMatchObject({ v2: [], answer: { status: 400 }, log: { errors: expect.any(Array) } });
    expect(byName["refused by v2"]!.v2.map((c) => "status" in c.answer && c.answer.status)).toEqual([400]);
    // The lost answer: the send without one, then the look-up that found the order.
    const lost = byName["lost answer found by look-up"]!;
    expect(lost.v2.map((c) => [c.call, "no_answer" in c.answer ? "no answer" : c.answer.status])).toEqual([
      ["create_order", "no answer"],
      ["find_by_alternative_id", 200],
    ]);
    expect(lost.log).toMatchObject({ recovered_by_lookup: true });
    expect(byName["order details"]!.v2).toEqual([
      expect.objectContaining({ call: "get_order", answer: expect.objectContaining({ status: 200 }) }),
    ]);
    // The override is kept as the client sent it: a POST under the base path, with its header.
    expect(byName["order details in XML, overridden"]!.request).toMatchObject({
      method: "POST",
      target: expect.stringMatching(/^\/clients\/rest\/api\/order\/\d+$/),
      headers: { "x-http-method-override": "GET", accept: "application/xml" },
    });
    expect(byName["unusable credentials"]).toMatchObject({ credentials: "unusable", answer: { status: 401 } });
    expect(byName["unusable credentials"]).not.toHaveProperty("account_id");
    // Passthrough: v2 judges the key, so the shim took the credentials, and v2 refused them.
    expect(byName["a key refused"]).toMatchObject({
      credentials: "accepted",
      answer: { status: 401 },
      v2: [expect.objectContaining({ call: "create_order" })],
    });
  });

  it("is off without SHIM_CAPTURE_DIR", async () => {
    const shim = await inProcessShim({});
    await sendInProcess(shim, seedOrder(AUTH));
    expect(await metric(shim, 'shim_capture_records_total{outcome="written"}')).toBe(0);
    expect(shim.logs().some((line) => String(line.msg).startsWith("capturing legacy requests"))).toBe(false);
  });

  it("keeps only the accounts SHIM_CAPTURE_ACCOUNTS names", async () => {
    const dir = tempDir("capture-accounts-");
    const shim = await inProcessShim({ SHIM_CAPTURE_DIR: dir, SHIM_CAPTURE_ACCOUNTS: "001007, 002008" });
    for (const account of ["001007", "009999", "002008"]) await sendInProcess(shim, seedOrder(basicAuth(account, "skyfall")));
    await sendInProcess(shim, { ...seedOrder(AUTH), headers: seedOrder(AUTH).headers.filter(([n]) => n !== "Authorization") });
    await shim.close();
    expect((await readCaptures([dir])).records.map((r) => r.account_id)).toEqual(["001007", "002008"]);
  });

  it("keeps the share of requests SHIM_CAPTURE_SAMPLE_RATE says, by a random draw per request", async () => {
    const dir = tempDir("capture-sample-");
    const config = loadConfig({ SHIM_STATE: "memory", SHIM_CAPTURE_DIR: dir, SHIM_CAPTURE_SAMPLE_RATE: "0.5" });
    const draws = [0.1, 0.9, 0.49, 0.5, 0.7, 0.2];
    const capture = new Capture({
      config,
      mode: "passthrough",
      logger: createLogger("silent"),
      count: () => undefined,
      random: () => draws.shift()!,
    });
    const sandbox = createSandbox();
    const v2 = new V2Client(capture.transport(inProcessTransport(sandbox.app)), new Pacer([]));
    const { app } = await inProcessApp({ config, v2, capture });
    const sent: string[] = [];
    for (let n = 1; n <= 6; n++) {
      const order = seedOrder(AUTH, { org_name: `Sample ${n}` });
      const answer = await app.request("/order/code", { method: "POST", headers: order.headers, body: order.body });
      sent.push(`Sample ${n}:${answer.status}`);
    }
    await capture.close();
    const { records } = await readCaptures([dir]);
    expect(sent.every((s) => s.endsWith(":201"))).toBe(true);
    // Drawn below 0.5: the first, third and sixth.
    expect(records.map((r) => JSON.parse((r.request.body as { text: string }).text).org_name)).toEqual([
      "Sample 1",
      "Sample 3",
      "Sample 6",
    ]);
    // In process, the calls the sampled requests made are theirs, and the others' are nobody's.
    expect(records.map((r) => r.v2.length)).toEqual([1, 1, 1]);
  });

  it("holds no secret: no 8 characters in a row of any key, token or Basic credential, in any capture or its HAR", async () => {
    const secret = (prefix: string) => `${prefix}${randomBytes(16).toString("hex")}`;
    const legacyKey = secret("k");
    const accountsKey = secret("a");
    const v2Key = secret("v");
    const adminToken = secret("t");
    const fingerprintKey = secret("f");
    const notBasic = secret("n");
    const dirs = [tempDir("capture-secrets-"), tempDir("capture-secrets-accounts-")];

    // Passthrough: the legacy key is the v2 key; v2 quotes it in a refusal, whole and cut short.
    const fake = await startFakeV2();
    const env = { SHIM_ADMIN_TOKEN: adminToken, SHIM_RETRY_FINGERPRINT_KEY: fingerprintKey, SHIM_RETRY_WINDOW_MS: "600000" };
    const passthrough = await inProcessShim({ DIGICERT_API_URL: fake.url, SHIM_CAPTURE_DIR: dirs[0]!, ...env });
    const auth = basicAuth("001007", legacyKey);
    await sendInProcess(passthrough, seedOrder(auth));
    fake.script({
      status: 403,
      body: { errors: [{ code: "access_denied", message: `key ${legacyKey} refused (${legacyKey.slice(0, 12)}…)` }] },
    });
    await sendInProcess(passthrough, seedOrder(auth, { org_name: "Refused" }));
    await sendInProcess(passthrough, seedOrder(`Basic ${Buffer.from(notBasic).toString("base64")}`));
    await sendInProcess(passthrough, seedOrder(`Bearer ${adminToken}`));
    await sendInProcess(passthrough, getMessage("/order/500001", { Authorization: auth }));
    await passthrough.close();

    // Accounts mode: the account's own v2 key goes to v2, and v2 echoes it in an answer's body.
    const accountsFile = writeAccountsFile({
      accounts: [{ account_id: "001007", key_hash: await hashFast(accountsKey), digicert_api_key_env: "DC_KEY_SECRET", container_id: 42 }],
    });
    fake.script({ status: 201, body: { id: 777, requests: [{ id: 1, status: "pending" }], note: `made with ${v2Key}` } });
    const accounts = await inProcessShim({
      DIGICERT_API_URL: fake.url,
      SHIM_CAPTURE_DIR: dirs[1]!,
      SHIM_ACCOUNTS_FILE: accountsFile,
      DC_KEY_SECRET: v2Key,
      ...env,
    });
    await sendInProcess(accounts, seedOrder(basicAuth("001007", accountsKey)));
    await sendInProcess(accounts, seedOrder(basicAuth("001007", `${accountsKey}x`)));
    await accounts.close();
    await fake.close();
    // v2 did receive the keys: the test is not vacuous.
    expect(fake.requests.map((r) => r.headers["x-dc-devkey"])).toContain(v2Key);
    expect(fake.requests.map((r) => r.headers["x-dc-devkey"])).toContain(legacyKey);

    const { records } = await readCaptures(dirs);
    expect(records).toHaveLength(7);
    const texts = [
      ...dirs.flatMap((dir) => readdirSync(dir).map((name) => readFileSync(join(dir, name), "utf8"))),
      JSON.stringify(harOf(records)),
    ];
    const secrets = [legacyKey, accountsKey, v2Key, adminToken, fingerprintKey, notBasic];
    const basics = [`001007:${legacyKey}`, `001007:${accountsKey}`, notBasic].map((s) => Buffer.from(s).toString("base64"));
    const found: string[] = [];
    for (const text of texts) {
      for (const whole of [...secrets, ...basics]) {
        for (let i = 0; i + 8 <= whole.length; i++) if (text.includes(whole.slice(i, i + 8))) found.push(whole.slice(i, i + 8));
      }
    }
    expect(found).toEqual([]);
    // What was scrubbed says so, and the rest is there.
    expect(texts[0]).toContain("[redacted]");
    expect(records.some((r) => r.account_mapping?.container_id === 42)).toBe(true);
  });

  it("leaves orders unharmed when the folder cannot be written: each order placed and answered, every record counted, said once", async () => {
    // A folder under a file: no user, not even root, can make it.
    const file = writeTempFile("not-a-folder", "");
    const fake = await startFakeV2();
    const shim = await inProcessShim({ DIGICERT_API_URL: fake.url, SHIM_CAPTURE_DIR: join(file, "captures") });
    const statuses: number[] = [];
    for (let n = 1; n <= 3; n++) statuses.push((await sendInProcess(shim, seedOrder(AUTH, { org_name: `Order ${n}` }))).status);
    expect(statuses).toEqual([201, 201, 201]);
    expect(fake.sandbox.orders()).toHaveLength(3);
    await eventually("three failed writes counted", async () =>
      expect(await metric(shim, 'shim_capture_records_total{outcome="write_failed"}')).toBe(3),
    );
    expect(await metric(shim, 'shim_capture_records_total{outcome="written"}')).toBe(0);
    const said = shim.logs().filter((line) => String(line.msg).startsWith("captures cannot be written"));
    expect(said).toEqual([expect.objectContaining({ level: 50, capture_dir: join(file, "captures"), error: "ENOTDIR" })]);
  });

  it("refuses its settings without SHIM_CAPTURE_DIR, and bad values, naming the variable", () => {
    const problems = (env: Record<string, string>) => {
      try {
        loadConfig(env);
        return [];
      } catch (error) {
        return (error as { problems: string[] }).problems;
      }
    };
    expect(problems({ SHIM_CAPTURE_SAMPLE_RATE: "0.5" })).toEqual([
      "SHIM_CAPTURE_SAMPLE_RATE needs SHIM_CAPTURE_DIR: capture is off without it",
    ]);
    const bad = problems({
      SHIM_CAPTURE_DIR: "/tmp/c",
      SHIM_CAPTURE_SAMPLE_RATE: "0",
      SHIM_CAPTURE_ACCOUNTS: " , ",
      SHIM_CAPTURE_MAX_FILE_BYTES: "10",
    });
    expect(bad.map((p) => p.split(" ")[0])).toEqual(["SHIM_CAPTURE_SAMPLE_RATE", "SHIM_CAPTURE_ACCOUNTS", "SHIM_CAPTURE_MAX_FILE_BYTES"]);
    expect(loadConfig({ SHIM_CAPTURE_DIR: "/tmp/c" }).capture).toEqual({
      dir: "/tmp/c",
      sampleRate: 1,
      accounts: undefined,
      maxFileBytes: 64 * 1024 * 1024,
      retentionMs: 7 * 86_400_000,
    });
  });
});
