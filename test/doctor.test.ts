import { spawn } from "node:child_process";
import { once } from "node:events";
import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";
import { beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { hashFast, writeAccountsFile } from "./support/accounts.js";
import { type FakeV2, startFakeV2 } from "./support/fake-v2.js";
import { writeTempFile } from "./support/temp-files.js";

const ROOT = new URL("../", import.meta.url);
const CLI = fileURLToPath(
  new URL(
    z.object({ bin: z.object({ "v1-shim": z.string() }) }).parse(JSON.parse(readFileSync(new URL("package.json", ROOT), "utf8"))).bin[
      "v1-shim"
    ],
    ROOT,
  ),
);

const reportSchema = z.object({
  v2: z.string().nullable(),
  checks: z.array(
    z.object({
      check: z.string(),
      subject: z.string(),
      status: z.enum(["ok", "warning", "failed"]),
      message: z.string(),
      action: z.string().optional(),
    }),
  ),
  exit: z.number(),
});

const ACME_KEY = "v2-key-of-acme-0123456789";

/** `node dist/cli/v1-shim.js doctor …` with only the given environment (and PATH); the fake v2 keeps running meanwhile. */
async function doctor(env: Record<string, string>, ...args: string[]) {
  const child = spawn(process.execPath, [CLI, "doctor", ...args], { env: { PATH: process.env.PATH ?? "", ...env } });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const [code] = await once(child, "exit");
  return { code: code as number | null, stdout, stderr, lines: stdout.split("\n").filter(Boolean) };
}

const json = async (env: Record<string, string>) => {
  const run = await doctor(env, "--json");
  return { code: run.code, report: reportSchema.parse(JSON.parse(run.stdout)) };
};

const statusOf = (lines: string[], check: string) => lines.find((line) => line.includes(` ${check} [`))?.split(" ")[0];

let fake: FakeV2;
beforeEach(async () => {
  fake = await startFakeV2();
});

/** Accounts mode against the fake: one account with a container and an organization. */
async function accountsEnv(): Promise<Record<string, string>> {
  const file = writeAccountsFile({
    accounts: [
      {
        account_id: "001007",
        key_hash: await hashFast("skyfall"),
        digicert_api_key_env: "DC_KEY_ACME",
        container_id: 42,
        organization_id: 12345,
      },
    ],
  });
  return { DIGICERT_API_URL: fake.url, SHIM_ACCOUNTS_FILE: file, DC_KEY_ACME: ACME_KEY };
}

const v2Error = (status: number, code: string) => ({ status, body: { errors: [{ code, message: code }] } });

describe("v1-shim doctor against the sandbox (no account at all)", () => {
  it("runs every check with no setting, says it checked the sandbox, and exits 0", async () => {
    const run = await doctor({});
    expect(run.code).toBe(0);
    expect(run.lines[0]).toMatch(/^warning v2 \[DIGICERT_API_URL\]: not set: these are the built-in sandbox's answers/);
    for (const check of ["key accepted", "product code_signing", "product code_signing_ev", "look-up by alternative_order_id", "pacing"]) {
      expect(statusOf(run.lines, check)).toBe("ok");
    }
    const { code, report } = await json({});
    expect(code).toBe(0);
    // One line per check.
    expect(report.checks).toHaveLength(run.lines.length);
    expect(report).toMatchObject({ v2: null, exit: 0 });
  });
});

describe("v1-shim doctor against v2 (the fake)", () => {
  it("checks each account with read-only calls only, and never shows the key", async () => {
    const run = await doctor(await accountsEnv());
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("ok      key accepted [account 001007]");
    expect(run.stdout).toContain("container 42 (Sandbox container 42) is visible and active");
    expect(run.stdout).toContain("organization 12345 (Sandbox organization 12345) is visible and active");
    expect(fake.requests.map((r) => r.method)).toEqual(Array(fake.requests.length).fill("GET"));
    expect(fake.requests.map((r) => r.path)).toEqual([
      "/user/me",
      "/product",
      "/product/code_signing?container_id=42",
      "/product/code_signing_ev?container_id=42",
      expect.stringMatching(/^\/order\/alternate\/v1shim[0-9a-f]{32}$/),
      "/container/42",
      "/organization/12345",
    ]);
    expect(fake.requests.every((r) => r.headers["x-dc-devkey"] === ACME_KEY)).toBe(true);
    expect(fake.sandbox.orders()).toHaveLength(0);
    expect(run.stdout + run.stderr).not.toContain(ACME_KEY);
  });

  it("a key v2 refuses: fails the key check, says where the key comes from, and asks nothing more with it", async () => {
    fake.script({ path: "/user/me", ...v2Error(403, "access_denied|invalid_key") });
    const run = await doctor(await accountsEnv());
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(
      /FAILED {2}key accepted \[account 001007\]: v2 answered 403 access_denied\|invalid_key to GET \/user\/me\. To do: check the key/,
    );
    expect(run.stdout).toContain("digicert_api_key_env");
    expect(fake.requests.map((r) => r.path)).toEqual(["/user/me"]);
    expect(run.stdout + run.stderr).not.toContain(ACME_KEY);
  });

  it("a missing container: fails naming the container and the accounts file", async () => {
    fake.script({ path: "/container/42", ...v2Error(404, "not_found|container") });
    const { code, report } = await json(await accountsEnv());
    expect(code).toBe(1);
    expect(report.exit).toBe(1);
    expect(report.checks.find((c) => c.check === "container")).toEqual({
      check: "container",
      subject: "account 001007",
      status: "failed",
      message: "container 42 does not exist or the key cannot see it (v2 answered 404 not_found|container)",
      action: "fix container_id of account 001007 in the accounts file, or give the key's user access to container 42",
    });
    expect(report.checks.find((c) => c.check === "organization")?.status).toBe("ok");
  });

  it("a product not enabled: fails that product only", async () => {
    fake.script({ path: "/product", status: 200, body: { products: [{ name_id: "code_signing", name: "Code Signing" }] } });
    const run = await doctor({ DIGICERT_API_URL: fake.url, DIGICERT_API_KEY: ACME_KEY });
    expect(run.code).toBe(1);
    expect(statusOf(run.lines, "product code_signing")).toBe("ok");
    expect(run.stdout).toMatch(
      /FAILED {2}product code_signing_ev \[DIGICERT_API_KEY\]: code_signing_ev is not among the products v2 lists.*To do: ask DigiCert to enable code_signing_ev/,
    );
    expect(fake.requests.map((r) => r.path)).not.toContain("/product/code_signing_ev");
  });

  it("names every platform of the shim's table, and every validity, that v2 does not list, as a warning", async () => {
    fake.script({
      path: "/product/code_signing_ev",
      status: 200,
      body: {
        name_id: "code_signing_ev",
        allowed_validity_years: [1],
        server_platforms: [-1, 2, 6, 7, 8, 9, 10, 12, 13, 14, 15, 16].map((id) => ({ id })),
      },
    });
    // An operator's table that sends legacy ids as they are, as one whose account uses them would.
    const platforms = writeTempFile("platforms.json", {
      code_signing: [{ v1_id: 51, name: "Microsoft Authenticode", v2_id: -1 }],
      code_signing_ev: [
        { v1_id: 2, name: "SafeNet eToken PRO Anywhere", v2_id: 2 },
        { v1_id: 3, name: "SafeNet eToken PRO 72K", v2_id: 3 },
        { v1_id: 17, name: "Bull Trustway Crypto PCI", v2_id: 17 },
      ],
    });
    const run = await doctor({ DIGICERT_API_URL: fake.url, DIGICERT_API_KEY: ACME_KEY, SHIM_PLATFORMS_FILE: platforms });
    expect(run.code).toBe(0);
    const line = run.lines.find((l) => l.includes(" product code_signing_ev ["))!;
    expect(line).toMatch(/^warning /);
    expect(line).toContain("not validity 2, 3, which v1 orders may ask for");
    expect(line).toContain("not the shim's platforms 3 SafeNet eToken PRO 72K (sent as 3), 17 Bull Trustway Crypto PCI (sent as 17)");
    expect(line).toContain("SHIM_PLATFORMS_FILE");
  });

  it("a look-up that does not answer as the shim expects fails", async () => {
    fake.script({ for: "lookup", status: 500, text: "oops" });
    const run = await doctor({ DIGICERT_API_URL: fake.url, DIGICERT_API_KEY: ACME_KEY });
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/FAILED {2}look-up by alternative_order_id \[DIGICERT_API_KEY\]: v2 answered 500/);
  });

  it("pacing beyond v2's limits fails, and none at all is a warning", async () => {
    const over = await doctor({ DIGICERT_API_URL: fake.url, DIGICERT_API_KEY: ACME_KEY, SHIM_V2_RATE_LIMITS: "50/1s" });
    expect(over.code).toBe(1);
    expect(over.stdout).toContain("FAILED  pacing [SHIM_V2_RATE_LIMITS]: 50/1s lets through up to 250 calls where v2 allows 100/5s");
    const off = await doctor({ DIGICERT_API_URL: fake.url, DIGICERT_API_KEY: ACME_KEY, SHIM_V2_RATE_LIMITS: "off" });
    expect(off.code).toBe(0);
    expect(statusOf(off.lines, "pacing")).toBe("warning");
  });
});

describe("v1-shim doctor could not run", () => {
  it("v2 unreachable: one failed line saying what to check, exit 2", async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as { port: number };
    await new Promise((resolve) => server.close(resolve));
    const env = { DIGICERT_API_URL: `http://127.0.0.1:${port}/services/v2`, DIGICERT_API_KEY: ACME_KEY };
    const run = await doctor(env);
    expect(run.code).toBe(2);
    expect(run.lines).toEqual([
      expect.stringMatching(/^FAILED {2}v2 \[DIGICERT_API_URL\]: .* did not answer \(ECONNREFUSED\)\. To do: check DIGICERT_API_URL/),
    ]);
    expect((await json(env)).report.exit).toBe(2);
  });

  it("no key to check, or a bad setting: says so on stderr, exit 2", async () => {
    const noKey = await doctor({ DIGICERT_API_URL: fake.url });
    expect(noKey.code).toBe(2);
    expect(noKey.stderr).toContain("no v2 key to check: set DIGICERT_API_KEY");
    const bad = await doctor({ SHIM_V2_RATE_LIMITS: "lots" });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("SHIM_V2_RATE_LIMITS");
    expect(fake.requests).toHaveLength(0);
  });
});
