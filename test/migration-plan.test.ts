import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { loadAccounts } from "../src/accounts/accounts-file.js";
import { authenticateAccount } from "../src/accounts/authenticate.js";
import { FailedLogins } from "../src/accounts/failed-logins.js";
import { AccountRegistry } from "../src/accounts/registry.js";
import { loadConfig } from "../src/config/config.js";
import { parsePlan } from "../src/migration/plan.js";
import { PlanInUse } from "../src/migration/plan-in-use.js";
import { createLogger } from "../src/observability/log.js";
import { ShimMetrics } from "../src/observability/metrics.js";
import { MemoryStore } from "../src/state/memory.js";
import { V2Client } from "../src/v2/client.js";
import { Pacer } from "../src/v2/pacer.js";
import { createSandbox } from "../src/v2/sandbox.js";
import { inProcessTransport } from "../src/v2/transport.js";
import { hashFast, writeAccountsFile } from "./support/accounts.js";
import { inProcessApp } from "./support/app.js";
import { basicAuth, orderRequest } from "./support/http-files.js";
import { ISSUE_PLAN } from "./support/migration-plan.js";

// The migration plan (SHIM_MIGRATION_PLAN_FILE), enforced by the in-process app
// on a clock of the test's own: no test here depends on today's date.

const NOW = Date.parse("2027-02-01T14:30:00Z");
const URL_V2 = "https://wiki.example/v2";
const TOKEN = "a-long-admin-token-for-tests";
const seed = orderRequest();

interface Options {
  /** Accounts mode with this authenticator's registry; passthrough without. */
  accounts?: AccountRegistry;
  now?: number;
}

/** The app with the plan, its clock at `now`, every v2 call counted, its log lines and metrics kept. */
async function planned(content: unknown, { accounts, now = NOW }: Options = {}) {
  const plan = parsePlan(content);
  if ("problems" in plan) throw new Error(plan.problems.join("\n"));
  const sandbox = createSandbox();
  const toSandbox = inProcessTransport(sandbox.app);
  const v2Calls: string[] = [];
  const v2 = new V2Client((request) => {
    v2Calls.push(`${request.method} ${request.path}`);
    return toSandbox(request);
  }, new Pacer([]));
  const lines: string[] = [];
  const logger = createLogger("info", { write: (line: string) => void lines.push(line) });
  const metrics = new ShimMetrics();
  const state = new MemoryStore();
  const { app } = await inProcessApp({
    config: loadConfig({ SHIM_ADMIN_TOKEN: TOKEN, SHIM_RETRY_WINDOW_MS: "0" }),
    logger,
    v2,
    metrics,
    state,
    migration: new PlanInUse(plan, () => now),
    ...(accounts && { authenticate: authenticateAccount({ registry: accounts, failedLogins: new FailedLogins(state), logger }) }),
  });
  const authorization = (accountId: string, key = "skyfall") => basicAuth(accountId, key);
  return {
    app,
    sandbox,
    v2Calls,
    requestLines: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>).filter((line) => line.msg === "request"),
    refusals: async (kind: string) =>
      Number((await metrics.registry.metrics()).match(new RegExp(`^shim_migration_refusals_total\\{kind="${kind}"\\} (\\d+)`, "m"))?.[1]),
    order: (accountId: string, headers: Record<string, string> = {}, body = seed.body) =>
      app.request("/order/code", {
        method: "POST",
        headers: { ...Object.fromEntries(seed.headers), Authorization: authorization(accountId), ...headers },
        body,
      }),
    read: (accountId: string, headers: Record<string, string> = {}) =>
      app.request("/order/100001", { headers: { Authorization: authorization(accountId), ...headers } }),
    admin: (path: string) => app.request(path, { headers: { Authorization: `Bearer ${TOKEN}` } }),
  };
}

const errorOf = async (answer: Response) => ((await answer.json()) as { errors: { code: string; description: string }[] }).errors;

describe("a brownout", () => {
  it("refuses every call of an account whose window covers now (share 1.0) before anything reaches v2, and places another account's order", async () => {
    const shim = await planned(ISSUE_PLAN);

    const refused = await shim.order("001007");
    expect(refused.status).toBe(503);
    expect(refused.headers.get("retry-after")).toBe("1800");
    const [error] = await errorOf(refused);
    expect(error!.code).toBe("migration_brownout");
    expect(error!.description).toContain("2027-02-01T15:00:00Z");
    expect(error!.description).toContain(URL_V2);
    expect(error!.description).toContain("nothing was sent to DigiCert");
    expect((await shim.read("001007")).status).toBe(503);
    expect(shim.v2Calls).toEqual([]);
    expect(shim.sandbox.orders()).toHaveLength(0);

    const placed = await shim.order("002008");
    expect(placed.status).toBe(201);
    expect(shim.sandbox.orders()).toHaveLength(1);

    // Logged and counted, each refusal.
    expect(shim.requestLines().slice(0, 2)).toEqual([
      expect.objectContaining({ account_id: "001007", status: 503, migration: "brownout_refused", errors: ["migration_brownout"] }),
      expect.objectContaining({ account_id: "001007", status: 503, migration: "brownout_refused", route: "/order/:order_id" }),
    ]);
    expect(shim.requestLines()[2]).not.toHaveProperty("migration");
    expect(await shim.refusals("brownout")).toBe(2);
    expect(await shim.refusals("sunset")).toBe(0);
  });

  it("judges a call before its body is read, after its credentials and its body's type", async () => {
    const shim = await planned(ISSUE_PLAN);
    // Not JSON, and never read: the plan refuses first.
    expect((await shim.order("001007", {}, "{not json")).status).toBe(503);
    expect((await shim.order("001007", { "Content-Type": "text/plain" })).status).toBe(415);
    expect((await shim.order("001007", { Authorization: "Basic Og==" })).status).toBe(401);
    expect(shim.v2Calls).toEqual([]);
  });

  it("refuses its share of the calls (0.5 over 200: between 35 and 65 %), each retry judged as the call it repeats", async () => {
    const seedNumber = Number(process.env.MIGRATION_SEED ?? 28);
    const random = mulberry32(seedNumber);
    const shim = await planned({
      default: { migration_url: URL_V2 },
      accounts: { "001007": { brownouts: [{ start: "2027-02-01T14:00:00Z", end: "2027-02-01T15:00:00Z", share: 0.5 }] } },
    });
    const ids = Array.from({ length: 200 }, () => Math.floor(random() * 2 ** 48).toString(16));
    const statuses: number[] = [];
    for (const id of ids) statuses.push((await shim.order("001007", { "X-Request-Id": id })).status);
    const refused = statuses.filter((s) => s === 503).length;
    expect(
      statuses.every((s) => s === 503 || s === 201),
      `seed ${seedNumber}`,
    ).toBe(true);
    expect(refused, `seed ${seedNumber}: ${refused} of 200 refused`).toBeGreaterThanOrEqual(70);
    expect(refused, `seed ${seedNumber}: ${refused} of 200 refused`).toBeLessThanOrEqual(130);
    // Nothing refused reached v2: one order for each call served.
    expect(shim.sandbox.orders()).toHaveLength(200 - refused);

    // A retry keeps its X-Request-Id, its Idempotency-Key, or else (an order) its body or (a read) its path.
    const again: number[] = [];
    for (const id of ids.slice(0, 20)) again.push((await shim.order("001007", { "X-Request-Id": id })).status);
    expect(again, `seed ${seedNumber}`).toEqual(statuses.slice(0, 20));
    const keyed = await shim.order("001007", { "Idempotency-Key": ids[0]!, "X-Request-Id": "another" });
    expect(keyed.status, `seed ${seedNumber}`).toBe(statuses[0]);
    const bodies = Array.from({ length: 20 }, (_, i) => seed.body.replace('"My Company"', `"My Company ${i}"`));
    expect(bodies[1]).not.toBe(seed.body);
    const first = await Promise.all(bodies.map(async (body) => (await shim.order("001007", {}, body)).status));
    const second = await Promise.all(bodies.map(async (body) => (await shim.order("001007", {}, body)).status));
    expect(second, `seed ${seedNumber}`).toEqual(first);
    expect(new Set(first).size, `seed ${seedNumber}: 20 bodies all judged alike`).toBe(2);
    const reads = await Promise.all([0, 1].map(async () => (await shim.read("001007")).status));
    expect(reads[1]).toBe(reads[0]);

    const judged = shim.requestLines().filter((line) => line.account_id === "001007");
    expect(judged.every((line) => line.migration === (line.status === 503 ? "brownout_refused" : "brownout_served"))).toBe(true);
  });
});

describe("the README's walk through a plan", () => {
  it("shows the plan, and what the shim answers at each stage", async () => {
    const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
    const section = readme.slice(readme.indexOf("### A staged migration, account by account"));
    const plan = JSON.parse(section.match(/```json\n([\s\S]*?)```/)![1]!);
    expect(plan).toEqual(ISSUE_PLAN);
    // Announced, in the brownout, past the sunset: the times the README's answers are given at.
    const answers = [...section.matchAll(/```\n {3}(HTTP\/1\.1 (\d{3})[\s\S]*?) {3}```/g)];
    const at = { "201": "2027-01-15T00:00:00Z", "503": "2027-02-01T14:30:00Z", "410": "2027-03-31T00:00:00Z" };
    expect(answers.map((answer) => answer[2])).toEqual(["201", "503", "410"]);
    for (const [, text, status] of answers) {
      const [head, body = ""] = text!.split("\n\n");
      const answer = await (await planned(plan, { now: Date.parse(at[status as keyof typeof at]) })).order("001007");
      expect(answer.status).toBe(Number(status));
      if (body) expect(await answer.text()).toBe(body.trim());
      for (const line of head!.trim().split("\n").slice(1)) {
        const [name, value] = line.trim().split(/: (.*)/);
        expect(answer.headers.get(name!), `${status} ${name}`).toBe(value);
      }
    }
  });
});

describe("after the sunset", () => {
  const PAST_SUNSET = {
    default: { migration_url: URL_V2 },
    accounts: {
      "001007": { sunset: "2027-01-31", after_sunset: "refuse" },
      "002008": { sunset: "2027-01-31" },
    },
  };

  it('refuses every call of an account whose plan says "refuse" with 410 sunset, nothing sent; "serve" serves on, with the headers', async () => {
    const shim = await planned(PAST_SUNSET);
    for (const answer of [await shim.order("001007"), await shim.read("001007")]) {
      expect(answer.status).toBe(410);
      expect(answer.headers.get("sunset")).toBe("Sun, 31 Jan 2027 00:00:00 GMT");
      const [error] = await errorOf(answer);
      expect(error).toEqual({ code: "sunset", description: expect.stringContaining("2027-01-31T00:00:00Z") });
      expect(error!.description).toContain(URL_V2);
    }
    expect(shim.v2Calls).toEqual([]);
    expect(await shim.refusals("sunset")).toBe(2);

    const served = await shim.order("002008");
    expect(served.status).toBe(201);
    expect(served.headers.get("sunset")).toBe("Sun, 31 Jan 2027 00:00:00 GMT");
    expect(served.headers.get("link")).toBe(`<${URL_V2}>; rel="deprecation"; type="text/html"`);
  });

  it("does not refuse before the sunset", async () => {
    const shim = await planned(PAST_SUNSET, { now: Date.parse("2027-01-30T23:59:59Z") });
    expect((await shim.order("001007")).status).toBe(201);
  });
});

describe("the deprecation signals", () => {
  it("are each account's own, the default's for every other account and before an account is known", async () => {
    const shim = await planned(ISSUE_PLAN, { now: Date.parse("2027-01-15T00:00:00Z") });
    const own = { deprecation: `@${Date.parse("2026-12-01T00:00:00Z") / 1000}`, sunset: "Wed, 31 Mar 2027 00:00:00 GMT" };
    const theDefault = { deprecation: `@${Date.parse("2027-01-01T00:00:00Z") / 1000}`, sunset: "Wed, 30 Jun 2027 00:00:00 GMT" };
    const signals = (answer: Response) => ({ deprecation: answer.headers.get("deprecation"), sunset: answer.headers.get("sunset") });

    expect(signals(await shim.order("001007"))).toEqual(own);
    expect(signals(await shim.read("001007"))).toEqual(own);
    expect(signals(await shim.order("001007", {}, "{}"))).toEqual(own);
    expect(signals(await shim.order("002008"))).toEqual(theDefault);
    expect(signals(await shim.order("001007", { Authorization: "Basic Og==" }))).toEqual(theDefault);
    expect(signals(await shim.app.request("/order/code", { method: "OPTIONS" }))).toEqual(theDefault);
    expect(signals(await shim.app.request("/_shim/openapi.json"))).toEqual({ deprecation: null, sunset: null });
    for (const answer of [await shim.order("001007"), await shim.order("002008")]) {
      expect(answer.headers.get("link")).toBe(`<${URL_V2}>; rel="deprecation"; type="text/html"`);
    }
  });
});

describe("accounts mode", () => {
  let registry: AccountRegistry;
  beforeAll(async () => {
    const file = writeAccountsFile({
      accounts: [
        { account_id: "001007", key_hash: await hashFast("skyfall"), digicert_api_key_env: "DC_KEY_ACME" },
        { account_id: "002008", key_hash: await hashFast("skyfall"), digicert_api_key_env: "DC_KEY_ACME" },
      ],
    });
    registry = new AccountRegistry(loadAccounts(file, { DC_KEY_ACME: "v2-key-of-acme" }), { cacheTtlMs: 60_000 });
  });

  it("keys the plan by the account id the client sends, once its key is accepted", async () => {
    const shim = await planned(ISSUE_PLAN, { accounts: registry });
    expect((await shim.order("001007")).status).toBe(503);
    // A wrong key is told so, and nothing of the account's plan.
    const stranger = await shim.order("001007", { Authorization: basicAuth("001007", "guess") });
    expect(stranger.status).toBe(401);
    expect(stranger.headers.get("sunset")).toBe("Wed, 30 Jun 2027 00:00:00 GMT");
    expect((await shim.order("002008")).status).toBe(201);
    expect(shim.v2Calls.filter((call) => call.startsWith("POST"))).toHaveLength(1);
  });

  it("shows each account's stage and its calls during its brownouts, in the clients view and on the dashboard", async () => {
    const shim = await planned(ISSUE_PLAN, { accounts: registry });
    await shim.order("001007");
    await shim.read("001007");
    await shim.order("002008");

    const { clients } = (await (await shim.admin("/_shim/clients")).json()) as {
      clients: { account_id: string; counts: Record<string, number>; migration: Record<string, unknown> | null }[];
    };
    // The order's agent and the read's (none) are two callers of the account, each counted.
    const acme = clients.filter((c) => c.account_id === "001007");
    expect(acme.map((c) => c.counts)).toEqual([
      expect.objectContaining({ during_brownouts: 1, refused_by_validation: 1, failed_upstream: 0 }),
      expect.objectContaining({ during_brownouts: 1, refused_by_validation: 1, failed_upstream: 0 }),
    ]);
    expect(acme[0]!.migration).toEqual(acme[1]!.migration);
    expect(acme[0]!.migration).toEqual({
      stage: "brownout",
      deprecation: "2026-12-01T00:00:00Z",
      sunset: "2027-03-31T00:00:00Z",
      after_sunset: "refuse",
      migration_url: URL_V2,
      brownout: { start: "2027-02-01T14:00:00Z", end: "2027-02-01T15:00:00Z", share: 1 },
      next_brownout: null,
    });
    const initech = clients.find((c) => c.account_id === "002008")!;
    expect(initech.counts.during_brownouts).toBe(0);
    expect(initech.migration).toMatchObject({ stage: "deprecated", sunset: "2027-06-30T00:00:00Z", brownout: null });

    const data = (await (await shim.admin("/_shim/dashboard.json")).json()) as {
      migration: { default: { stage: string }; accounts: { account_id: string; stage: string; during_brownouts: number }[] };
    };
    expect(data.migration.default.stage).toBe("deprecated");
    expect(data.migration.accounts.map(({ account_id, stage, during_brownouts }) => [account_id, stage, during_brownouts])).toEqual([
      ["001007", "brownout", 2],
      ["002008", "deprecated", 0],
    ]);
    const page = await (await shim.admin("/_shim/dashboard")).text();
    const row = page.match(/<tr class="stage" data-stage-of="001007">.*?<\/tr>/s)?.[0];
    expect(row).toContain('<span class="badge bad">brownout</span>');
    expect(row).toContain("now, until 2027-02-01T15:00:00Z (100 % refused)");
    expect(row).toMatch(/<td class="n" data-label="Calls during brownouts">2<\/td><\/tr>$/);
    expect(page).toMatch(
      /<tr class="stage" data-stage-of="002008">.*?deprecated.*?<td class="n" data-label="Calls during brownouts">0<\/td><\/tr>/s,
    );
  });
});

/** A small seeded generator (mulberry32): the same seed, the same request ids, the same judgements. */
function mulberry32(seedNumber: number): () => number {
  let a = seedNumber >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
