import { setTimeout as delay } from "node:timers/promises";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { loadAccounts } from "../src/accounts/accounts-file.js";
import { authenticateAccount } from "../src/accounts/authenticate.js";
import { DEFAULT_LOGIN_LIMITS, FailedLogins } from "../src/accounts/failed-logins.js";
import { HashSlots } from "../src/accounts/hash-slots.js";
import { verifyKey } from "../src/accounts/key-hash.js";
import { AccountRegistry } from "../src/accounts/registry.js";
import { createLogger } from "../src/observability/log.js";
import { MemoryStore } from "../src/state/memory.js";
import { hashFast, writeAccountsFile } from "./support/accounts.js";
import { inProcessApp } from "./support/app.js";
import { eventually } from "./support/eventually.js";
import { type FakeV2, startFakeV2 } from "./support/fake-v2.js";
import { hold } from "./support/hold.js";
import { basicAuth, getMessage, type HttpMessage, orderRequest, sendInProcess } from "./support/http-files.js";
import { type InProcessShim, inProcessShim } from "./support/shim.js";

// The seed's client, account 001007 with legacy key "skyfall", as the operator maps it.
const ENV = { DC_KEY_ACME: "v2-key-of-acme", DC_KEY_INITECH: "v2-key-of-initech" };
const SECRETS = ["skyfall", "v2-key-of-acme", "v2-key-of-initech", "MDAxMDA3OnNreWZhbGw="];
let accountsFile: string;

beforeAll(async () => {
  accountsFile = writeAccountsFile({
    accounts: [
      { account_id: "001007", key_hash: await hashFast("skyfall"), digicert_api_key_env: "DC_KEY_ACME", container_id: 42 },
      { account_id: "002008", key_hash: await hashFast("goldeneye"), digicert_api_key_env: "DC_KEY_INITECH", organization_id: 12345 },
      { account_id: "003009", key_hash: await hashFast("moonraker"), digicert_api_key_env: "DC_KEY_ACME", enabled: false },
      {
        account_id: "004010",
        key_hash: await hashFast("thunderball"),
        digicert_api_key_env: "DC_KEY_INITECH",
        organization_id: 12345,
        add_verified_contact: true,
      },
    ],
  });
});

const readRequest: HttpMessage = { startLine: "GET /order/500001 HTTP/1.1", headers: [["Authorization", ""]], body: "" };

const as = (accountId: string, key: string, message: HttpMessage = orderRequest()): HttpMessage => ({
  ...message,
  headers: message.headers.map(([name, value]): [string, string] =>
    name === "Authorization" ? [name, basicAuth(accountId, key)] : [name, value],
  ),
});

describe("accounts mode", () => {
  let fake: FakeV2;
  let shim: InProcessShim;
  async function start() {
    fake = await startFakeV2();
    shim = await inProcessShim({ DIGICERT_API_URL: fake.url, SHIM_ACCOUNTS_FILE: accountsFile, ...ENV });
  }
  afterEach(() => {
    for (const secret of SECRETS) expect(shim.rawLogs.join("\n")).not.toContain(secret);
  });

  it("orders with the account's own v2 key, in its container", async () => {
    await start();
    const answer = await sendInProcess(shim, orderRequest());
    expect(answer.status).toBe(201);
    expect(fake.requests[0]!.headers["x-dc-devkey"]).toBe("v2-key-of-acme");
    const body = JSON.parse(fake.requests[0]!.body);
    expect(body.container).toEqual({ id: 42 });
    expect(body.organization).toMatchObject({ name: "My Company", state: "Florida" });
  });

  it("never passes on the account's v2 key or the client's key in v2's messages, whole or in part", async () => {
    await start();
    fake.script(
      { status: 403, body: { errors: [{ code: "forbidden", message: "Key v2-key-of-acme (skyfall) may not order here." }] } },
      { for: "info", status: 403, body: { errors: [{ code: "forbidden", message: "Key v2-key-of… may not read this." }] } },
    );
    for (const answer of [await sendInProcess(shim, orderRequest()), await sendInProcess(shim, as("001007", "skyfall", readRequest))]) {
      expect(answer.status).toBe(403);
      for (const secret of [...SECRETS, "v2-key-of"]) expect(answer.text).not.toContain(secret);
      expect(answer.text).toContain("[redacted]");
    }
  });

  const SEED_CONTACT = { first_name: "Gary", last_name: "McCoy", job_title: "CTO", email: "gm@example.com", telephone: "555-555-1234" };

  it("orders for the account's existing organization by its id alone, the contact as the order's own, instead of creating one", async () => {
    await start();
    const answer = await sendInProcess(shim, as("002008", "goldeneye"));
    expect(answer.status).toBe(201);
    expect(fake.requests[0]!.headers["x-dc-devkey"]).toBe("v2-key-of-initech");
    const body = JSON.parse(fake.requests[0]!.body);
    // In organization.contacts v2 would add the contact to the organization, emailed for approval, on every order.
    expect(body.organization).toEqual({ id: 12345 });
    expect(body.organization_contact).toEqual(SEED_CONTACT);
    expect(body).not.toHaveProperty("container");
  });

  it("adds the contact to the existing organization as a verified contact when the account says add_verified_contact", async () => {
    await start();
    const answer = await sendInProcess(shim, as("004010", "thunderball"));
    expect(answer.status).toBe(201);
    const body = JSON.parse(fake.requests[0]!.body);
    expect(body.organization).toEqual({
      id: 12345,
      contacts: ["organization_contact", "verified_contact"].map((contact_type) => ({ contact_type, ...SEED_CONTACT })),
    });
    expect(body).not.toHaveProperty("organization_contact");
  });

  it("reads order details with the account's v2 key", async () => {
    await start();
    const ordered = await sendInProcess(shim, orderRequest());
    const id = JSON.parse(ordered.text).order_id;
    const details = await sendInProcess(shim, getMessage(`/order/${id}`, { Authorization: "Basic MDAxMDA3OnNreWZhbGw=" }));
    expect(details.status).toBe(200);
    expect(fake.requests.at(-1)).toMatchObject({
      method: "GET",
      path: `/order/certificate/${id}`,
      headers: { "x-dc-devkey": "v2-key-of-acme" },
    });
  });

  it("answers a wrong key and an unknown account the same way, and sends nothing to v2", async () => {
    await start();
    const wrongKey = await sendInProcess(shim, as("001007", "skyfal"));
    const unknown = await sendInProcess(shim, as("999999", "skyfall"));
    for (const answer of [wrongKey, unknown]) {
      expect(answer.status).toBe(401);
      expect(answer.headers["www-authenticate"]).toBe('Basic realm="DigiCert REST v1", charset="UTF-8"');
      expect(JSON.parse(answer.text)).toEqual({
        errors: [{ code: "access_denied", description: "The account id and API key were not accepted." }],
      });
    }
    expect(unknown.text).toBe(wrongKey.text);
    expect(fake.requests).toEqual([]);
  });

  it("refuses a disabled account with 403, once its key is right", async () => {
    await start();
    const disabled = await sendInProcess(shim, as("003009", "moonraker"));
    expect(disabled.status).toBe(403);
    expect(JSON.parse(disabled.text)).toEqual({
      errors: [{ code: "account_disabled", description: "This account is disabled in the v1 shim; ask its operator." }],
    });
    expect((await sendInProcess(shim, as("003009", "wrong"))).status).toBe(401);
    expect(fake.requests).toEqual([]);
  });

  it("lets an order in flight finish with the account it started with when the accounts are replaced", async () => {
    await start();
    const { released, release } = hold();
    fake.script({ until: released });
    const inFlight = sendInProcess(shim, orderRequest());
    await eventually("the order at v2", () => fake.requests.length === 1);
    shim.accounts!.replace(loadAccounts(writeAccountsFile({ accounts: [] }), ENV));
    release();
    expect((await inFlight).status).toBe(201);
    expect(fake.requests[0]!.headers["x-dc-devkey"]).toBe("v2-key-of-acme");
    expect((await sendInProcess(shim, orderRequest())).status).toBe(401);
  });
});

describe("repeated failed logins", () => {
  it("are limited by rate: past the limit the key is not checked, the answer says when to retry, and nothing reaches v2", async () => {
    const lines: string[] = [];
    const logger = createLogger("info", { write: (line: string) => void lines.push(line) });
    const registry = new AccountRegistry(loadAccounts(accountsFile, ENV), { cacheTtlMs: 60_000 });
    const { app, sandbox } = await inProcessApp({
      logger,
      authenticate: authenticateAccount({
        registry,
        failedLogins: new FailedLogins(new MemoryStore(), { ...DEFAULT_LOGIN_LIMITS, perAccount: 3 }),
        logger,
      }),
    });
    const send = (message: HttpMessage) =>
      app.request("/order/code", { method: "POST", headers: Object.fromEntries(message.headers), body: message.body });
    const statuses = [];
    for (let i = 0; i < 5; i++) statuses.push((await send(as("001007", "guess"))).status);
    expect(statuses).toEqual([401, 401, 401, 429, 429]);
    // Past the limit even the right key is not checked: from an address never seen to log in, it cannot be told from a guess.
    const throttled = await send(as("001007", "skyfall"));
    expect(throttled.status).toBe(429);
    expect(Number(throttled.headers.get("retry-after"))).toBeGreaterThan(800);
    expect(await throttled.json()).toEqual({
      errors: [{ code: "too_many_failed_logins", description: expect.stringContaining("the credentials were not checked") }],
    });
    expect(lines.map((l) => JSON.parse(l))).toContainEqual(
      expect.objectContaining({
        level: 40,
        account_id: "001007",
        msg: "too many failed logins for this account or address: credentials are not checked",
      }),
    );
    expect(sandbox.orders()).toEqual([]);
    for (const secret of SECRETS) expect(lines.join("\n")).not.toContain(secret);
  });
});

describe("a flood of credential checks", () => {
  /** A registry of the real accounts whose hashes each end once `hashed` resolves, in slots of `slots`. */
  const slowRegistry = (hashed: () => Promise<unknown>, slots: ConstructorParameters<typeof HashSlots>[0]) =>
    new AccountRegistry(loadAccounts(accountsFile, ENV), {
      cacheTtlMs: 60_000,
      hashSlots: new HashSlots(slots),
      verify: async (key, stored) => {
        await hashed();
        return verifyKey(key, stored);
      },
    });

  it("is turned away with 503 too_busy and Retry-After past a short wait, and nothing reaches v2", async () => {
    const fake = await startFakeV2();
    // The first check holds the one slot until the others have had their answers.
    const { released, release } = hold();
    const accounts = slowRegistry(() => released, { concurrency: 1, maxWaitMs: 100, maxWaiting: 64 });
    const shim = await inProcessShim({ DIGICERT_API_URL: fake.url }, { accounts });
    const sent = Array.from({ length: 5 }, (_, i) => sendInProcess(shim, as(`9${i}`, "guess")));
    let answered = 0;
    for (const answer of sent) void answer.then(() => answered++);
    await eventually("four answers while the first check holds the slot", () => answered === 4);
    release();
    const answers = await Promise.all(sent);
    const busy = answers.filter((a) => a.status === 503);
    expect(answers.map((a) => a.status).sort()).toEqual([401, 503, 503, 503, 503]);
    for (const answer of busy) {
      expect(JSON.parse(answer.text).errors[0].code).toBe("too_busy");
      expect(answer.headers["retry-after"]).toBe("1");
    }
    expect(fake.requests).toEqual([]);
  });

  it("counts the credential check inside the order's deadline", async () => {
    const fake = await startFakeV2();
    // The check takes 1 s of a 1.2 s deadline: v2's 0.6 s no longer fits, where from the check on it would.
    fake.script({ delayMs: 600 }, { for: "lookup", delayMs: 600 });
    // A hash that takes a second: its time is what the deadline counts.
    const accounts = slowRegistry(() => delay(1_000), { concurrency: 1, maxWaitMs: 5_000, maxWaiting: 64 });
    const shim = await inProcessShim({ DIGICERT_API_URL: fake.url, SHIM_DEADLINE_MS: "1200" }, { accounts });
    const answer = await sendInProcess(shim, orderRequest());
    expect(answer.status).toBe(503);
    // On a loaded machine the deadline may pass before the order is even sent; once sent, it is to be reconciled.
    if (fake.requests.some((r) => r.method === "POST")) {
      expect(shim.logs()).toContainEqual(expect.objectContaining({ level: 50, msg: expect.stringMatching(/outcome unknown.*reconcile/) }));
    }
  });
});
