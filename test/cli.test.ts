import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { SETTINGS } from "../src/config/settings.js";
import { hashFast, writeAccountsFile } from "./support/accounts.js";
import { CLI } from "./support/cli.js";
import { parseHttpMessage } from "./support/http-files.js";
import { SEED_FIELDS } from "./support/seed-order.js";
import { inProcessShim } from "./support/shim.js";
import { tempDir, writeTempFile } from "./support/temp-files.js";

const ROOT = new URL("../", import.meta.url);

const example = (name: string) => fileURLToPath(new URL(`examples/${name}`, ROOT));
const SEED_V2 = readFileSync(example("seed-order.v2.json"), "utf8");
const SEED_XML = readFileSync(example("seed-order.xml"), "utf8");

/** `node dist/cli/v1-shim.js …` with only the given environment (and PATH), as a CI job would run it. */
function v1Shim(args: string[], options: { input?: string; env?: Record<string, string> } = {}) {
  const run = spawnSync(process.execPath, [CLI, ...args], {
    input: options.input ?? "",
    encoding: "utf8",
    env: { PATH: process.env.PATH ?? "", ...options.env },
  });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

const dir = tempDir("v1-shim-cli-");
const file = (name: string, content: unknown) => writeTempFile(name, content, dir);

const SEED_CONTACT = { first_name: "Gary", last_name: "McCoy", job_title: "CTO", email: "gm@example.com", telephone: "555-555-1234" };
/** The seed's v2 request as a rewritten client could write it: plain JSON, to change at will. */
// biome-ignore lint/suspicious/noExplicitAny: a client's JSON, changed at will by each test
const seedV2 = (): { method: string; path: string; body: Record<string, any> } => JSON.parse(SEED_V2);

const SEED_AUTH = "Basic MDAxMDA3OnNreWZhbGw=";

/** What `POST /_shim/translate/order/code` answers for a body, with the seed's credentials: the shim's app, in process. */
async function endpoint(body: string, contentType = "application/json", env: Record<string, string> = {}) {
  const shim = await inProcessShim(env);
  const answer = await shim.request("/_shim/translate/order/code", {
    method: "POST",
    headers: { Authorization: SEED_AUTH, "Content-Type": contentType },
    body,
  });
  return { status: answer.status, text: await answer.text() };
}

describe("the examples", () => {
  it("are the seed's sample order, in JSON and in XML", () => {
    const fixtureBody = (name: string) =>
      parseHttpMessage(readFileSync(new URL(`test/fixtures/order-code/${name}/v1-request.http`, ROOT), "utf8")).body;
    expect(readFileSync(example("seed-order.json"), "utf8").trim()).toBe(fixtureBody("seed-sample-json"));
    expect(JSON.parse(readFileSync(example("seed-order.json"), "utf8"))).toEqual(SEED_FIELDS);
    expect(SEED_XML.trim()).toBe(fixtureBody("seed-sample-xml"));
  });

  it("the bin starts with a shebang, so npm can link it", () => {
    expect(readFileSync(CLI, "utf8").split("\n", 1)[0]).toBe("#!/usr/bin/env node");
  });
});

describe("v1-shim translate", () => {
  it("prints the seed's order in JSON as the translate endpoint answers it, as examples/seed-order.v2.json has it", async () => {
    const run = v1Shim(["translate", example("seed-order.json")]);
    expect(run).toEqual({ code: 0, stdout: SEED_V2, stderr: "" });
    const answer = await endpoint(readFileSync(example("seed-order.json"), "utf8"));
    expect(answer.status).toBe(200);
    expect(JSON.parse(run.stdout)).toEqual(JSON.parse(answer.text));
  });

  it("reads the seed's order in XML, from a file or standard input, to the same v2 request", () => {
    expect(v1Shim(["translate", example("seed-order.xml")])).toEqual({ code: 0, stdout: SEED_V2, stderr: "" });
    // Blanks before the root element still make it XML (before an XML declaration they would be malformed XML, as for the server).
    const afterBlanks = SEED_XML.replace(/^<\?xml[^>]*>\s*/, "\n  ");
    expect(afterBlanks).toMatch(/^\n {2}<order>/);
    expect(v1Shim(["translate", "-"], { input: afterBlanks })).toEqual({ code: 0, stdout: SEED_V2, stderr: "" });
  });

  it("refuses an invalid request with exit 1 and, on stderr, the v1 errors the shim answers it", async () => {
    const invalid = JSON.stringify({ ...SEED_FIELDS, validity: "7", org_name: "" });
    const run = v1Shim(["translate", file("invalid.json", invalid)]);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe("");
    const answer = await endpoint(invalid);
    expect(answer.status).toBe(400);
    expect(run.stderr).toBe(`${answer.text}\n`);
    expect(JSON.parse(run.stderr).errors.map((e: { code: string }) => e.code)).toEqual([
      "invalid_param:validity",
      "required_param:org_name",
    ]);
  });

  it("refuses a malformed body, and XML with a DOCTYPE, as the server does", () => {
    const codes = (run: ReturnType<typeof v1Shim>) => ({
      code: run.code,
      errors: JSON.parse(run.stderr).errors.map((e: { code: string }) => e.code),
    });
    expect(codes(v1Shim(["translate", "-"], { input: '{"validity": ' }))).toEqual({ code: 1, errors: ["malformed_body"] });
    const doctype = SEED_XML.replace("<order>", '<!DOCTYPE order [<!ENTITY x "y">]><order>');
    expect(codes(v1Shim(["translate", "-"], { input: doctype }))).toEqual({ code: 1, errors: ["malformed_body"] });
  });

  it("with --container-id and --organization-id, prints what the endpoint answers for an accounts-mode account mapped so", async () => {
    const { contacts } = seedV2().body.organization;
    const cases = [
      // The contact is the order's own organization_contact, and the organization is named by its id alone.
      { options: [], entry: {}, organization: { id: 12345 }, organization_contact: SEED_CONTACT },
      { options: ["--add-verified-contact"], entry: { add_verified_contact: true }, organization: { id: 12345, contacts } },
    ];
    for (const { options, entry, organization, organization_contact } of cases) {
      const run = v1Shim(["translate", "--container-id", "42", "--organization-id", "12345", ...options, example("seed-order.json")]);
      expect(run.code).toBe(0);
      const translated = JSON.parse(run.stdout);
      expect(translated.body.container).toEqual({ id: 42 });
      expect(translated.body.organization).toEqual(organization);
      expect(translated.body.organization_contact).toEqual(organization_contact);

      const accounts = writeAccountsFile({
        accounts: [
          {
            account_id: "001007",
            key_hash: await hashFast("skyfall"),
            digicert_api_key_env: "DC_KEY",
            container_id: 42,
            organization_id: 12345,
            ...entry,
          },
        ],
      });
      const answer = await endpoint(readFileSync(example("seed-order.json"), "utf8"), "application/json", {
        SHIM_ACCOUNTS_FILE: accounts,
        DC_KEY: "v2-key",
      });
      expect(answer.status).toBe(200);
      expect(translated).toEqual(JSON.parse(answer.text));
    }
  });

  it("takes the operator's platform table from SHIM_PLATFORMS_FILE, and refuses a bad one with exit 2 naming it", () => {
    const platforms = {
      code_signing: [{ v1_id: 51, name: "Authenticode", v2_id: -1 }],
      code_signing_ev: [{ v1_id: 2, name: "eToken", v2_id: 9002 }],
    };
    const run = v1Shim(["translate", example("seed-order.json")], { env: { SHIM_PLATFORMS_FILE: file("platforms.json", platforms) } });
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout).body.certificate.server_platform).toEqual({ id: 9002 });

    const bad = v1Shim(["translate", example("seed-order.json")], { env: { SHIM_PLATFORMS_FILE: file("bad-platforms.json", "{") } });
    expect(bad.code).toBe(2);
    expect(bad.stdout).toBe("");
    expect(bad.stderr).toContain("SHIM_PLATFORMS_FILE cannot be read as JSON");
  });
});

describe("v1-shim diff", () => {
  it("exits 0 with one line when the rewritten client orders the same, its contacts in another order and its own alternative_order_id", () => {
    const same = "Same order: yours sends what the shim sends (alternative_order_id and the order of contacts aside).\n";
    expect(v1Shim(["diff", example("seed-order.json"), example("seed-order.v2.json")])).toEqual({ code: 0, stdout: same, stderr: "" });

    const { body } = seedV2();
    body.organization.contacts.reverse();
    body.alternative_order_id = "rewritten-client-7";
    expect(v1Shim(["diff", example("seed-order.xml"), file("same-bare-body.json", body)])).toEqual({ code: 0, stdout: same, stderr: "" });
  });

  it("exits 1 and prints each difference with its path, the product's path among them when V2_FILE has one", () => {
    const yours = seedV2();
    yours.path = "/order/certificate/code_signing";
    yours.body.organization.state = "FL";
    yours.body.container = { id: 42 };
    const run = v1Shim(["diff", example("seed-order.json"), file("different.json", yours)]);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe("");
    expect(run.stdout.split("\n")).toEqual([
      'path: the shim sends "/order/certificate/code_signing_ev", yours sends "/order/certificate/code_signing"',
      'organization.state: the shim sends "Florida", yours sends "FL"',
      'container: the shim sends nothing, yours sends {"id":42}',
      "",
    ]);
  });

  it("compares a bare body field by field, and names what one side sends alone", () => {
    const v1 = {
      ...SEED_FIELDS,
      cs_provisioning_method: "ship_token",
      ship_name: "Gary McCoy",
      ship_addr1: "1 Dock Rd",
      ship_addr2: "Bay 4",
      ship_city: "Tampa",
      ship_state: "FL",
      ship_zip: "33615",
      ship_country: "us",
    };
    const translated = v1Shim(["translate", file("ship.json", v1)]);
    expect(translated.code).toBe(0);
    const { body } = JSON.parse(translated.stdout);
    delete body.ship_info.addr2;
    const run = v1Shim(["diff", file("ship.json", v1), file("no-addr2.json", body)]);
    expect(run).toEqual({ code: 1, stdout: 'ship_info.addr2: the shim sends "Bay 4", yours sends nothing\n', stderr: "" });
  });

  it("translates as an accounts-mode account with --container-id and --organization-id", () => {
    const run = v1Shim(["diff", "--container-id", "42", example("seed-order.json"), example("seed-order.v2.json")]);
    expect(run).toEqual({ code: 1, stdout: 'container: the shim sends {"id":42}, yours sends nothing\n', stderr: "" });
    const yours = seedV2();
    const { contacts } = yours.body.organization;
    yours.body.organization = { id: 12345 };
    yours.body.organization_contact = SEED_CONTACT;
    expect(v1Shim(["diff", example("seed-order.json"), "--organization-id", "12345", file("existing-org.json", yours)]).code).toBe(0);
    yours.body.organization = { id: 12345, contacts };
    delete yours.body.organization_contact;
    const adding = ["diff", example("seed-order.json"), "--organization-id", "12345", "--add-verified-contact"];
    expect(v1Shim([...adding, file("adding-contacts.json", yours)]).code).toBe(0);
  });

  it("exits 2 with the v1 errors on stderr when the shim refuses the v1 request", () => {
    const run = v1Shim(["diff", file("refused.json", { ...SEED_FIELDS, org_country: "zz" }), example("seed-order.v2.json")]);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe("");
    expect(JSON.parse(run.stderr)).toEqual({ errors: [{ code: "invalid_param:org_country", description: expect.any(String) }] });
  });

  it("reads either file from standard input", () => {
    expect(v1Shim(["diff", "-", example("seed-order.v2.json")], { input: SEED_XML }).code).toBe(0);
    expect(v1Shim(["diff", example("seed-order.json"), "-"], { input: SEED_V2 }).code).toBe(0);
    const changed = seedV2();
    changed.body.order_validity.years = 2;
    expect(v1Shim(["diff", example("seed-order.json"), "-"], { input: JSON.stringify(changed) }).stdout).toBe(
      "order_validity.years: the shim sends 1, yours sends 2\n",
    );
  });
});

describe("v1-shim plan", () => {
  const plan = {
    default: { deprecation: "2027-01-01", sunset: "2027-06-30", migration_url: "https://wiki.example/v2" },
    accounts: {
      "002008": { sunset: "2027-05-31" },
      "001007": {
        deprecation: "2026-12-01",
        sunset: "2027-03-31",
        brownouts: [{ start: "2027-02-01T14:00:00Z", end: "2027-02-01T15:00:00Z", share: 1.0 }],
        after_sunset: "refuse",
      },
    },
  };

  it("prints each account's stage at --at, the default first, from FILE or SHIM_MIGRATION_PLAN_FILE", () => {
    const path = file("plan.json", plan);
    const expected = [
      `The migration plan of ${path}, at 2027-02-01T14:30:00Z:`,
      "account                stage       deprecation           sunset                after sunset  brownouts",
      "(every other account)  deprecated  2027-01-01T00:00:00Z  2027-06-30T00:00:00Z  serve         none to come",
      "001007                 brownout    2026-12-01T00:00:00Z  2027-03-31T00:00:00Z  refuse        now, until 2027-02-01T15:00:00Z (100 % refused)",
      "002008                 deprecated  2027-01-01T00:00:00Z  2027-05-31T00:00:00Z  serve         none to come",
      "",
    ].join("\n");
    for (const run of [
      v1Shim(["plan", path, "--at", "2027-02-01T14:30:00Z"]),
      v1Shim(["plan", "--at", "2027-02-01T16:30:00+02:00"], { env: { SHIM_MIGRATION_PLAN_FILE: path } }),
    ]) {
      expect(run).toEqual({ code: 0, stdout: expected, stderr: "" });
    }
    const later = JSON.parse(v1Shim(["plan", path, "--at", "2027-06-01", "--json"]).stdout);
    expect(later).toMatchObject({ at: "2027-06-01T00:00:00Z", plan: path, default: { stage: "deprecated" } });
    expect(later.accounts.map((a: { account_id: string; stage: string }) => [a.account_id, a.stage])).toEqual([
      ["001007", "sunset"],
      ["002008", "sunset"],
    ]);
  });

  it("shows the three variables as the plan's default without a file", () => {
    const run = v1Shim(["plan", "--at", "2027-01-15", "--json"], {
      env: { SHIM_DEPRECATION_DATE: "2027-01-01", SHIM_MIGRATION_URL: "https://wiki.example/v2" },
    });
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({
      plan: "SHIM_DEPRECATION_DATE, SHIM_SUNSET_DATE, SHIM_MIGRATION_URL",
      default: { stage: "deprecated", deprecation: "2027-01-01T00:00:00Z", migration_url: "https://wiki.example/v2" },
      accounts: [],
    });
  });

  it("exits 1 with every problem on stderr, naming the account and the field, never quoting the file", () => {
    const bad = file("bad-plan.json", {
      accounts: { "001007": { sunset: "2027-03-31", brownouts: [{ start: "2027-02-01T15:00:00Z", end: "2027-02-01T14:00:00Z" }] } },
      default: { after_sunset: "refuse", sunset: "sk_live_not_a_date" },
    });
    const run = v1Shim(["plan", bad]);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe("");
    expect(run.stderr).toContain("SHIM_MIGRATION_PLAN_FILE default sunset: must be an ISO 8601 date such as 2027-06-30");
    expect(run.stderr).toContain("SHIM_MIGRATION_PLAN_FILE account 001007 brownouts[0].end: must be after start");
    expect(run.stderr).not.toContain("sk_live");
    const notJson = v1Shim(["plan", file("not-json.json", "{ sk_live_secret ")]);
    expect(notJson.code).toBe(1);
    expect(notJson.stderr).toMatch(/SHIM_MIGRATION_PLAN_FILE cannot be read as JSON \(.*not-json\.json\): line 1, column 3/);
    expect(notJson.stderr).not.toContain("sk_live");
  });

  it("exits 2 for a bad --at, and for a plan file set beside the variables it replaces", () => {
    const path = file("plan.json", plan);
    expect(v1Shim(["plan", path, "--at", "yesterday"])).toMatchObject({
      code: 2,
      stdout: "",
      stderr: expect.stringMatching(/--at must be an ISO 8601/),
    });
    const both = v1Shim(["plan"], { env: { SHIM_MIGRATION_PLAN_FILE: path, SHIM_SUNSET_DATE: "2027-01-01" } });
    expect(both).toMatchObject({ code: 2, stdout: "" });
    expect(both.stderr).toContain("SHIM_SUNSET_DATE cannot be set with SHIM_MIGRATION_PLAN_FILE");
  });
});

describe("v1-shim usage", () => {
  // One process each, and a test each: a busy machine takes seconds to start one.
  for (const args of [["--help"], ["-h"], []]) {
    it(`prints its usage for ${args.join(" ") || "no arguments"}`, () => {
      const run = v1Shim(args);
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(/^Usage:\n {2}v1-shim translate V1_FILE[\s\S]*v1-shim diff V1_FILE V2_FILE/);
    });
  }

  const v1 = example("seed-order.json");
  const usageErrors: [string[], RegExp][] = [
    [["order", v1], /expected "translate V1_FILE", "diff V1_FILE V2_FILE", "doctor", "config", "plan \[FILE\]", "replay CAPTURES"/],
    [["plan", v1, v1], /expected .*"plan \[FILE\]"/],
    [["translate", "--at", "2027-01-01", v1], /--at is for plan/],
    [["translate"], /expected "translate V1_FILE"/],
    [["translate", v1, v1], /expected "translate V1_FILE"/],
    [["diff", v1], /expected .*"diff V1_FILE V2_FILE"/],
    [["diff", v1, v1, v1], /expected .*"diff V1_FILE V2_FILE"/],
    [["translate", join(dir, "missing.json")], /cannot read .*missing\.json: ENOENT/],
    [["diff", v1, example("seed-order.xml")], /seed-order\.xml is not JSON/],
    [["diff", v1, file("list.json", [SEED_V2])], /list\.json must be a v2 order body \(a JSON object\) or \{"method","path","body"\}/],
    [["diff", "-", "-"], /only one of the files can be standard input/],
    [["translate", "--container-id", "0", v1], /--container-id must be a positive whole number, not "0"/],
    [["translate", "--organization-id", "12a", v1], /--organization-id must be a positive whole number, not "12a"/],
    [["translate", "--verbose", v1], /Unknown option '--verbose'/],
  ];
  for (const [args, message] of usageErrors) {
    it(`exits 2 with a short message, printing nothing, for ${args.map((a) => (a.startsWith("/") ? basename(a) : a)).join(" ")}`, () => {
      const run = v1Shim(args);
      expect({ args, code: run.code, stdout: run.stdout }).toEqual({ args, code: 2, stdout: "" });
      expect(run.stderr).toMatch(/^v1-shim: /);
      expect(run.stderr).toMatch(message);
    });
  }
});

describe("v1-shim config", () => {
  const SECRETS = {
    SHIM_ADMIN_TOKEN: "admin-token-0123456789",
    SHIM_RETRY_FINGERPRINT_KEY: "k".repeat(40),
    DIGICERT_API_KEY: "V2KEYSECRET",
  };

  it("prints every variable, its value and whether it was set or is the default, with every secret redacted, and exits 0", () => {
    const run = v1Shim(["config"], {
      env: { ...SECRETS, PORT: "8443", SHIM_STATE: "redis://:redispassword@redis.internal:6379/0", SHIM_STATE_REQUIRED: "" },
    });
    expect(run.code).toBe(0);
    const lines = new Map(
      run.stdout
        .trim()
        .split("\n")
        .map((line) => [line.split(/\s+/)[0], line.split(/\s+/).slice(1).join(" ")]),
    );
    for (const name of Object.keys(SETTINGS)) expect(lines.has(name), name).toBe(true);
    expect(lines.get("PORT")).toBe("set 8443");
    expect(lines.get("SHIM_DEADLINE_MS")).toBe("default 55000");
    // Empty counts as unset, as the server reads it.
    expect(lines.get("SHIM_STATE_REQUIRED")).toBe("default false");
    expect(lines.get("DIGICERT_API_URL")).toBe("unset (unset: sandbox)");
    for (const name of Object.keys(SECRETS)) expect(lines.get(name)).toBe("set (secret)");
    expect(lines.get("SHIM_STATE")).toBe("set redis://(secret)@redis.internal:6379/0");
    // Not even in part: no piece of a secret as long as 6 characters anywhere.
    for (const secret of [...Object.values(SECRETS), "redispassword"]) {
      for (let i = 0; i + 6 <= secret.length; i++) expect(run.stdout + run.stderr).not.toContain(secret.slice(i, i + 6));
    }
    expect(run.stdout).toMatch(/^configuration ok: \d+ variables, 5 set$/m);
    const json = JSON.parse(v1Shim(["config", "--json"], { env: SECRETS }).stdout);
    expect(json.settings).toContainEqual({ name: "SHIM_ADMIN_TOKEN", value: "(secret)", source: "set", secret: true });
  });

  it("exits 1 naming each bad variable, as nginx -t does, and says nothing of a secret", () => {
    const run = v1Shim(["config"], { env: { PORT: "eighty", SHIM_ADMIN_TOKEN: "short", SHIM_STATE_REQUIRED: "yes" } });
    expect(run.code).toBe(1);
    expect(run.stdout).toBe("");
    expect(run.stderr).toMatch(/^v1-shim config: the configuration is not valid; the server would not start:\n/);
    expect(run.stderr).toMatch(/^ {2}PORT /m);
    expect(run.stderr).toMatch(/^ {2}SHIM_ADMIN_TOKEN must be at least 16 characters$/m);
    expect(run.stderr).toMatch(/^ {2}SHIM_STATE_REQUIRED must be true or false$/m);
    expect(run.stderr).not.toContain("short");
    // A file a setting names is read as the server reads it.
    const missing = v1Shim(["config"], { env: { SHIM_ACCOUNTS_FILE: join(dir, "no-such-accounts.json") } });
    expect([missing.code, missing.stderr]).toEqual([1, expect.stringContaining("no-such-accounts.json")]);
  });
});
