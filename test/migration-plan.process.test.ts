import { connect } from "node:net";
import { describe, expect, it } from "vitest";
import { basicAuth, orderRequest, sendHttpMessage } from "./support/http-files.js";
import { spawnShim } from "./support/process.js";
import { tempDir, writeTempFile } from "./support/temp-files.js";

// SHIM_MIGRATION_PLAN_FILE as `npm start` reads it: checked at start, and again on SIGHUP.

const URL_V2 = "https://wiki.example/v2";
const iso = (ms: number) => new Date(ms).toISOString();
/** A brownout around the moment the test runs, whatever today's date. */
const brownoutNow = () => ({ start: iso(Date.now() - 3_600_000), end: iso(Date.now() + 3_600_000), share: 1 });

/** `OPTIONS *`, which the server answers below the app (src/http/edge-refusals.ts): its raw answer. */
function optionsStar(port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1", () => socket.write("OPTIONS * HTTP/1.1\r\nHost: shim\r\nConnection: close\r\n\r\n"));
    let raw = "";
    socket.on("data", (chunk) => (raw += chunk.toString()));
    socket.on("close", () => resolve(raw));
  });
}

describe("the migration plan file (node dist/shim.mjs)", () => {
  it("stops the start when bad, naming the account and the field, never quoting the file", async () => {
    const cases: [unknown, string][] = [
      [
        { accounts: { "001007": { sunset: "sk_live_not_a_date" } } },
        "SHIM_MIGRATION_PLAN_FILE account 001007 sunset: must be an ISO 8601 date",
      ],
      [{ accounts: { "001007": { brownouts: [brownoutNow()] } } }, "SHIM_MIGRATION_PLAN_FILE account 001007 migration_url: is needed"],
      ["{ sk_live_secret", "SHIM_MIGRATION_PLAN_FILE cannot be read as JSON"],
      ["null", "SHIM_MIGRATION_PLAN_FILE the file: Invalid input: expected object"],
    ];
    for (const [content, message] of cases) {
      const running = spawnShim({ SHIM_MIGRATION_PLAN_FILE: writeTempFile("plan.json", content) });
      expect(await running.exited).toBe(1);
      expect(running.stderr()).toMatch(/^digicert-v1-shim: not starting\. Invalid configuration:\n/);
      expect(running.stderr()).toContain(message);
      expect(running.stderr()).not.toContain("sk_live");
      expect(running.stderr()).not.toMatch(/\n\s+at /);
    }
  });

  it("is read again on SIGHUP, and a bad one is refused at error level while the plan in use stays", async () => {
    const dir = tempDir();
    const write = (plan: unknown) => writeTempFile("plan.json", plan, dir);
    const running = spawnShim({
      SHIM_MIGRATION_PLAN_FILE: write({ default: { migration_url: URL_V2 }, accounts: { "001007": { brownouts: [brownoutNow()] } } }),
    });
    const port = await running.listening;
    const url = `http://127.0.0.1:${port}`;
    const initech = {
      ...orderRequest(),
      headers: orderRequest().headers.map(([n, v]): [string, string] => [n, n === "Authorization" ? basicAuth("002008", "k") : v]),
    };
    const refused = await sendHttpMessage(url, orderRequest());
    expect(refused.status).toBe(503);
    expect(refused.text).toContain("migration_brownout");
    expect((await sendHttpMessage(url, initech)).status).toBe(201);

    expect(await optionsStar(port)).not.toMatch(/\r\nSunset:/i);

    write({ default: { migration_url: URL_V2, sunset: "2027-06-30" }, accounts: { "001007": { deprecation: "2026-01-01" } } });
    running.child.kill("SIGHUP");
    await running.logged(/"msg":"migration plan reloaded"/);
    // Below the app too, an answer carries the default as it is now.
    expect(await optionsStar(port)).toMatch(/\r\nSunset: Wed, 30 Jun 2027 00:00:00 GMT\r\n/i);
    const served = await sendHttpMessage(url, orderRequest());
    expect(served.status).toBe(201);
    expect(served.headers.deprecation).toBe(`@${Date.parse("2026-01-01T00:00:00Z") / 1000}`);

    write({ accounts: { "001007": { brownouts: [brownoutNow()], api_key: "sk_live_secret" } } });
    running.child.kill("SIGHUP");
    await running.logged(/migration plan refused/);
    expect(running.stdout()).toMatch(
      /"level":50,[^\n]*account 001007: Unrecognized key: \\"api_key\\"[^\n]*"msg":"migration plan refused; what was in use stays"/,
    );
    expect(running.stdout()).not.toContain("sk_live");
    const still = await sendHttpMessage(url, orderRequest());
    expect(still.status).toBe(201);
    expect(still.headers.deprecation).toBe(`@${Date.parse("2026-01-01T00:00:00Z") / 1000}`);
    expect(running.child.exitCode).toBeNull();
    expect(await running.stop()).toBe(0);
  });
});
