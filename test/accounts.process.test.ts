import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parseKeyHash, verifyKey } from "../src/accounts/key-hash.js";
import { hashFast, writeAccountsFile } from "./support/accounts.js";
import { startFakeV2 } from "./support/fake-v2.js";
import { basicAuth, orderRequest, sendHttpMessage } from "./support/http-files.js";
import { spawnShim } from "./support/process.js";

const HASH_KEY = fileURLToPath(new URL("../dist/cli/hash-key.js", import.meta.url));
const hashKeyCli = (args: string[], input?: string) => execFileSync(process.execPath, [HASH_KEY, ...args], { input, encoding: "utf8" });

const spawn = spawnShim;

describe("npm run hash-key", () => {
  it("prints, as its last line, a hash of the key given as an argument or on standard input", async () => {
    for (const output of [hashKeyCli(["skyfall"]), hashKeyCli([], "skyfall\n")]) {
      const last = output.trim().split("\n").at(-1)!;
      expect(last).not.toContain("skyfall");
      expect(await verifyKey("skyfall", parseKeyHash(last)!)).toBe(true);
    }
  });
});

describe("accounts mode (node dist/shim.mjs)", () => {
  it("follows docs/accounts.md: hash the key, write the file, start, and the order reaches v2 with the mapped key", async () => {
    const keyHash = hashKeyCli(["skyfall"]).trim().split("\n").at(-1)!;
    const file = writeAccountsFile({
      accounts: [{ account_id: "001007", key_hash: keyHash, digicert_api_key_env: "DC_KEY_ACME", container_id: 42 }],
    });
    const v2 = await startFakeV2();
    const running = spawn({ DIGICERT_API_URL: v2.url, SHIM_ACCOUNTS_FILE: file, DC_KEY_ACME: "v2-key-of-acme" });
    const port = await running.listening;
    expect(running.stdout()).toMatch(/"auth":"accounts","accounts":1/);
    expect((await sendHttpMessage(`http://127.0.0.1:${port}`, orderRequest())).status).toBe(201);
    expect(v2.requests[0]!.headers["x-dc-devkey"]).toBe("v2-key-of-acme");
    expect(running.stdout() + running.stderr()).not.toMatch(/skyfall|v2-key-of-acme/);
  });

  it("refuses to start on a bad file, naming the account and the field", async () => {
    const file = writeAccountsFile({ accounts: [{ account_id: "001007", key_hash: "skyfall", digicert_api_key_env: "DC_KEY_ACME" }] });
    const running = spawn({ SHIM_ACCOUNTS_FILE: file, DC_KEY_ACME: "k" });
    expect(await running.exited).toBe(1);
    expect(running.stderr()).toContain(
      "SHIM_ACCOUNTS_FILE account 001007 (accounts[0]) key_hash: must be a hash printed by npm run hash-key",
    );
  });

  it("refuses to start when an account's v2 key is missing, naming the account", async () => {
    const file = writeAccountsFile({
      accounts: [{ account_id: "001007", key_hash: await hashFast("skyfall"), digicert_api_key_env: "DC_KEY_ACME" }],
    });
    const running = spawn({ SHIM_ACCOUNTS_FILE: file });
    expect(await running.exited).toBe(1);
    expect(running.stderr()).toContain("SHIM_ACCOUNTS_FILE account 001007: digicert_api_key_env names DC_KEY_ACME, which is not set");
  });

  it("re-reads the file on SIGHUP, and keeps the accounts in use when the new file is bad", async () => {
    const acme = { account_id: "001007", key_hash: await hashFast("skyfall"), digicert_api_key_env: "DC_KEY_ACME" };
    const other = { account_id: "002008", key_hash: await hashFast("goldeneye"), digicert_api_key_env: "DC_KEY_ACME" };
    const file = writeAccountsFile({ accounts: [acme] });
    const dir = file.replace(/\/accounts\.json$/, "");
    const running = spawn({ SHIM_ACCOUNTS_FILE: file, DC_KEY_ACME: "k", SHIM_SANDBOX_ISSUE_AFTER_MS: "60000" });
    const url = `http://127.0.0.1:${await running.listening}`;
    const asOther = {
      ...orderRequest(),
      headers: orderRequest().headers.map(([n, v]): [string, string] => [n, n === "Authorization" ? basicAuth("002008", "goldeneye") : v]),
    };
    expect((await sendHttpMessage(url, asOther)).status).toBe(401);

    writeAccountsFile({ accounts: [acme, other] }, dir);
    running.child.kill("SIGHUP");
    await running.logged(/"msg":"accounts file reloaded"/);
    expect((await sendHttpMessage(url, asOther)).status).toBe(201);

    writeAccountsFile({ accounts: [{ ...acme, key_hash: "not a hash" }] }, dir);
    running.child.kill("SIGHUP");
    await running.logged(/accounts file refused/);
    expect(running.stdout()).toMatch(/"level":50,[^\n]*account 001007 \(accounts\[0\]\) key_hash/);
    expect((await sendHttpMessage(url, orderRequest())).status).toBe(201);
    expect((await sendHttpMessage(url, asOther)).status).toBe(201);
  });

  it("keeps serving with the accounts in use when SIGHUP finds JSON that is not an accounts file", async () => {
    const acme = { account_id: "001007", key_hash: await hashFast("skyfall"), digicert_api_key_env: "DC_KEY_ACME" };
    const file = writeAccountsFile({ accounts: [acme] });
    const dir = file.replace(/\/accounts\.json$/, "");
    const running = spawn({ SHIM_ACCOUNTS_FILE: file, DC_KEY_ACME: "k" });
    const url = `http://127.0.0.1:${await running.listening}`;
    for (const [i, content] of ["null", "42", "[]", '{"accounts": [null]}'].entries()) {
      writeAccountsFile(content, dir);
      running.child.kill("SIGHUP");
      await running.logged(/accounts file refused/, i + 1);
    }
    expect(running.child.exitCode).toBeNull();
    expect((await sendHttpMessage(url, orderRequest())).status).toBe(201);
  });

  it("refuses to start on JSON that is not an accounts file with a message, not a stack", async () => {
    const file = writeAccountsFile("null");
    const running = spawn({ SHIM_ACCOUNTS_FILE: file });
    expect(await running.exited).toBe(1);
    expect(running.stderr()).toMatch(/^digicert-v1-shim: not starting\. Invalid configuration:\n {2}- SHIM_ACCOUNTS_FILE the file: /);
    expect(running.stderr()).not.toMatch(/\n\s+at /);
  });
});
