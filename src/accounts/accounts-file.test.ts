import { once } from "node:events";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import { beforeAll, describe, expect, it, onTestFinished } from "vitest";
import { hashFast, writeAccountsFile } from "../../test/support/accounts.js";
import { configProblems } from "../../test/support/config-problems.js";
import { tempDir } from "../../test/support/temp-files.js";
import { loadAccounts } from "./accounts-file.js";

let keyHash: string;
beforeAll(async () => {
  keyHash = await hashFast("skyfall");
});

const problems = (content: unknown, env: NodeJS.ProcessEnv = {}) => configProblems(() => loadAccounts(writeAccountsFile(content), env));

describe("loadAccounts", () => {
  it("reads the accounts, with v2 keys from the environment or from a file", () => {
    const dir = tempDir("keys-");
    writeFileSync(join(dir, "globex.key"), "v2-key-globex\n");
    const path = writeAccountsFile({
      accounts: [
        { account_id: "001007", key_hash: keyHash, digicert_api_key_env: "DC_KEY_ACME", container_id: 42, organization_id: 12345 },
        { account_id: "002008", key_hash: keyHash, digicert_api_key_file: join(dir, "globex.key"), enabled: false },
        { account_id: "003009", key_hash: keyHash, digicert_api_key_env: "DC_KEY_ACME", organization_id: 7, add_verified_contact: true },
      ],
    });
    const accounts = loadAccounts(path, { DC_KEY_ACME: "v2-key-acme" });
    expect(accounts.get("001007")).toMatchObject({
      v2ApiKey: "v2-key-acme",
      containerId: 42,
      organizationId: 12345,
      addVerifiedContact: false,
      enabled: true,
    });
    expect(accounts.get("003009")).toMatchObject({ organizationId: 7, addVerifiedContact: true });
    expect(accounts.get("002008")).toMatchObject({ v2ApiKey: "v2-key-globex", containerId: undefined, enabled: false });
  });

  it("names the account and the field of every problem", () => {
    const found = problems({
      accounts: [
        { account_id: "001007", key_hash: "skyfall", digicert_api_key_env: "K" },
        { account_id: "002008", key_hash: keyHash, digicert_api_key_env: "K", container_id: "42" },
        { account_id: "003009", key_hash: keyHash },
        { account_id: "004010", key_hash: keyHash, digicert_api_key_env: "K", api_key: "skyfall" },
        { account_id: "001007", key_hash: keyHash, digicert_api_key_env: "K" },
        { account_id: "a:b", key_hash: keyHash, digicert_api_key_env: "K" },
      ],
    });
    expect(found).toEqual([
      "SHIM_ACCOUNTS_FILE account 001007 (accounts[0]) key_hash: must be a hash printed by npm run hash-key",
      "SHIM_ACCOUNTS_FILE account 002008 (accounts[1]) container_id: Invalid input: expected number, received string",
      "SHIM_ACCOUNTS_FILE account 003009 (accounts[2]) digicert_api_key_env: give one of digicert_api_key_env and digicert_api_key_file",
      'SHIM_ACCOUNTS_FILE account 004010 (accounts[3]): Unrecognized key: "api_key"',
      "SHIM_ACCOUNTS_FILE account a:b (accounts[5]) account_id: may not contain a colon: it is the Basic user name",
      "SHIM_ACCOUNTS_FILE account 001007 (accounts[4]) account_id: appears twice",
    ]);
  });

  it("names the account whose v2 key cannot be found", () => {
    expect(
      problems({
        accounts: [
          { account_id: "001007", key_hash: keyHash, digicert_api_key_env: "DC_KEY_ACME" },
          { account_id: "002008", key_hash: keyHash, digicert_api_key_file: "/nonexistent/key" },
        ],
      }),
    ).toEqual([
      "SHIM_ACCOUNTS_FILE account 001007: digicert_api_key_env names DC_KEY_ACME, which is not set",
      "SHIM_ACCOUNTS_FILE account 002008: digicert_api_key_file /nonexistent/key cannot be read",
    ]);
  });

  it("refuses a v2 key that no HTTP header could carry, naming the account", () => {
    expect(
      problems({ accounts: [{ account_id: "001007", key_hash: keyHash, digicert_api_key_env: "K" }] }, { K: "key with spaces" }),
    ).toEqual(["SHIM_ACCOUNTS_FILE account 001007: its v2 key has characters an HTTP header cannot carry"]);
  });

  it("refuses a file that is not JSON, or not an accounts file", () => {
    expect(problems("{ accounts: ")[0]).toMatch(/^SHIM_ACCOUNTS_FILE cannot be read as JSON/);
    expect(problems({ users: [] })[0]).toMatch(/^SHIM_ACCOUNTS_FILE accounts: /);
  });

  it("refuses JSON that is not an object with a ConfigError, whatever it is", () => {
    for (const content of ["null", "42", '"accounts"', "[]", "true", '{"accounts": null}', '{"accounts": [null, 7]}']) {
      expect(problems(content)[0]).toMatch(/^SHIM_ACCOUNTS_FILE (the file|accounts(\[\d\]|\.\d)?): /);
    }
  });

  it("lists the problems of a large broken file in time linear in its size", async () => {
    // Quadratic, 32,000 entries took 21 s and 40,000 took 100; 100,000 would take many minutes.
    // The check runs the built module in a worker, so that the test's timeout can end it.
    const entries = Array.from({ length: 100_000 }, (_, i) => ({ account_id: `a${i % 50_000}`, key_hash: "x" }));
    const path = writeAccountsFile({ accounts: entries });
    const module = new URL("../../dist/accounts/accounts-file.js", import.meta.url).href;
    const worker = new Worker(
      `import("${module}").then((m) => { try { m.loadAccounts(${JSON.stringify(path)}, {}); } catch (e) { require("node:worker_threads").parentPort.postMessage(e.problems); } });`,
      { eval: true },
    );
    onTestFinished(async () => {
      await worker.terminate();
    });
    const [found] = (await once(worker, "message")) as [string[]];
    expect(found).toHaveLength(250_000);
    expect(found[0]).toBe("SHIM_ACCOUNTS_FILE account a0 (accounts[0]) key_hash: must be a hash printed by npm run hash-key");
    expect(found.at(-1)).toBe("SHIM_ACCOUNTS_FILE account a49999 (accounts[99999]) account_id: appears twice");
  }, 60_000);
});
