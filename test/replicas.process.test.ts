import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashFast, writeAccountsFile } from "./support/accounts.js";
import { eventually } from "./support/eventually.js";
import { type FakeV2, startFakeV2 } from "./support/fake-v2.js";
import { basicAuth, getMessage, type HttpAnswer, type HttpMessage, orderRequest, sendHttpMessage } from "./support/http-files.js";
import { type ShimProcess, spawnShim } from "./support/process.js";
import { freePort, type RedisServer, startRedis } from "./support/redis.js";
import { tempDir } from "./support/temp-files.js";
import { makeServerChain } from "./support/tls-certs.js";

// Several shim processes (node dist/shim.mjs, as npm start runs it) on one real
// Redis, against a recording fake v2. Windows and counts are small and bounded;
// nothing here asserts how fast anything is.

const TOKEN = "an-admin-token-for-these-tests";
const spawn = spawnShim;
let redis: RedisServer;
let database = 0;
let fake: FakeV2;

beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis.stop();
});

/** A Redis database of its own for each test, so that no test sees another's state. */
const freshDatabase = () => `${redis.url}/${++database}`;

async function replicas(n: number, env: Record<string, string>): Promise<{ urls: string[]; shims: ShimProcess[] }> {
  const shims = Array.from({ length: n }, (_, i) =>
    spawn({ DIGICERT_API_URL: fake.url, SHIM_ADMIN_TOKEN: TOKEN, SHIM_REPLICA_ID: `replica-${i + 1}`, ...env }),
  );
  const ports = await Promise.all(shims.map((s) => s.listening));
  return { urls: ports.map((port) => `http://127.0.0.1:${port}`), shims };
}

const withHeaders = (message: HttpMessage, headers: Record<string, string>): HttpMessage => ({
  ...message,
  headers: [...message.headers.filter(([n]) => !(n in headers)), ...Object.entries(headers)],
});
const order = (url: string, headers: Record<string, string> = {}) => sendHttpMessage(url, withHeaders(orderRequest(), headers));
const admin = async (url: string, path: string) => sendHttpMessage(url, getMessage(path, { Authorization: `Bearer ${TOKEN}` }));
const json = (answer: HttpAnswer) => JSON.parse(answer.text);
const metricsOf = async (url: string) => (await sendHttpMessage(url, getMessage("/metrics"))).text;

describe("replicas sharing one Redis", () => {
  beforeAll(async () => {
    fake = await startFakeV2();
  });
  afterAll(async () => {
    await fake.close();
  });

  it("pace a burst spread over three of them as one: v2 never sees more than the limit in a window", async () => {
    fake.requests.length = 0;
    const before = fake.sandbox.orders().length;
    // A key v2 has not accepted yet: its first calls share the new keys' bucket, and its own bucket takes them over.
    // A window the test cannot outlast, however busy the machine: v2 sees the limit in all, three where each
    // replica paced alone would send nine. (The spacing within a window: src/v2/pacer.test.ts, on a set clock.)
    const { urls } = await replicas(3, { SHIM_STATE: freshDatabase(), SHIM_V2_RATE_LIMITS: "3/10m", SHIM_PACE_MAX_WAIT_MS: "2000" });
    const answers = await Promise.all(Array.from({ length: 24 }, (_, i) => order(urls[i % 3]!)));
    for (const answer of answers.filter((a) => a.status !== 201)) {
      expect(answer.status).toBe(503);
      expect(json(answer).errors[0].code).toBe("rate_limited");
    }
    expect(fake.requests).toHaveLength(3);
    const made = fake.sandbox.orders().slice(before);
    const answered = answers.filter((a) => a.status === 201).map((a) => json(a).order_id);
    expect(made).toHaveLength(answered.length);
    expect(new Set(answered).size).toBe(answered.length);
  });

  it("count failed logins spread over them as one, and the real client's logins keep working", async () => {
    const accounts = writeAccountsFile({
      accounts: [{ account_id: "001007", key_hash: await hashFast("skyfall"), digicert_api_key_env: "DC_KEY_ACME" }],
    });
    const { urls } = await replicas(3, {
      SHIM_STATE: freshDatabase(),
      SHIM_ACCOUNTS_FILE: accounts,
      DC_KEY_ACME: "v2-key",
      SHIM_TRUST_PROXY_HOPS: "1",
    });
    const realClient = { Authorization: basicAuth("001007", "skyfall"), "X-Forwarded-For": "192.0.2.10" };
    expect((await order(urls[0]!, realClient)).status).toBe(201);

    const guesses = [];
    for (let i = 0; i < 15; i++) {
      guesses.push(
        (await order(urls[i % 3]!, { Authorization: basicAuth("001007", `guess${i}`), "X-Forwarded-For": "198.51.100.7" })).status,
      );
    }
    // Ten failures for the account in all, wherever they landed; then the guesses are not even checked.
    expect(guesses).toEqual([...Array(10).fill(401), ...Array(5).fill(429)]);
    // Even a right key from the guesser's address is not checked now; the real client, from where it logs in, is.
    expect((await order(urls[1]!, { ...realClient, "X-Forwarded-For": "198.51.100.7" })).status).toBe(429);
    for (const url of urls) expect((await order(url, realClient)).status).toBe(201);
  });

  it("show the same clients view from each one, and after all of them restart", async () => {
    const env = { SHIM_STATE: freshDatabase() };
    const first = await replicas(3, env);
    for (const [i, url] of first.urls.entries()) expect((await order(url, { "User-Agent": `Client/${i}` })).status).toBe(201);
    // A caller v2 never accepted (its order is refused before v2) is counted, but not apart.
    const probe = withHeaders(orderRequest(), { Authorization: basicAuth("nobody", "made-up-key"), "User-Agent": "Prober/1" });
    await sendHttpMessage(first.urls[2]!, { ...probe, headers: probe.headers.filter(([n]) => n !== "Content-Length"), body: "{}" });
    const viewOf = async (url: string) => json(await admin(url, "/_shim/clients")).clients;
    const sameEverywhere = (views: unknown[]) => views.every((v) => JSON.stringify(v) === JSON.stringify(views[0]));
    const views = await eventually("the four clients in every replica's view", async () => {
      const all = await Promise.all(first.urls.map(viewOf));
      return sameEverywhere(all) && all[0].length === 4 && all;
    });
    expect(views[0].map((c: { user_agent: string }) => c.user_agent).sort()).toEqual(["(unverified)", "Client/0", "Client/1", "Client/2"]);

    await Promise.all(first.shims.map((s) => s.stop()));
    const second = await replicas(3, env);
    for (const url of second.urls) expect(await viewOf(url)).toEqual(views[0]);
  });

  it("keep the ledger across restarts: what each placed, a lost answer found as created, an unknown outcome as unknown", async () => {
    const env = { SHIM_STATE: freshDatabase(), SHIM_UPSTREAM_ATTEMPTS: "2", SHIM_RETRY_BASE_MS: "5" };
    const first = await replicas(3, env);
    expect((await order(first.urls[0]!)).status).toBe(201);
    fake.script({ create: true, drop: true });
    expect((await order(first.urls[1]!)).status).toBe(201);
    fake.script(
      { create: true, status: 500, text: "oops" },
      { for: "lookup", status: 500, text: "oops" },
      { for: "lookup", status: 500, text: "oops" },
    );
    expect((await order(first.urls[2]!)).status).toBe(503);

    await Promise.all(first.shims.map((s) => s.stop()));
    const second = await replicas(1, env);
    const { orders } = json(await admin(second.urls[0]!, "/_shim/orders?limit=3"));
    expect(orders.map((o: { replica: string; state: string }) => [o.replica, o.state])).toEqual([
      ["replica-3", "unknown"],
      ["replica-2", "created"],
      ["replica-1", "created"],
    ]);
    expect(orders[1].v2_status).toBe("found");
    const unknown = json(await admin(second.urls[0]!, "/_shim/orders?state=unknown")).orders;
    expect(unknown.map((o: { replica: string }) => o.replica)).toEqual(["replica-3"]);
    expect(fake.sandbox.orders().map((o) => o.body.alternative_order_id)).toContain(unknown[0].alternative_order_id);
    expect(await metricsOf(second.urls[0]!)).toMatch(/^shim_orders_unknown 1$/m);
  });

  it("answer every request while Redis is killed under load, double nothing, and share again once it is back", async () => {
    const own = await startRedis();
    const made = fake.sandbox.orders().length;
    const { urls, shims } = await replicas(3, { SHIM_STATE: own.url });
    const answers: HttpAnswer[] = [];
    let next = 0;
    const worker = async () => {
      while (next < 60) {
        const i = next++;
        if (i === 20) await own.kill();
        answers.push(await order(urls[i % 3]!));
      }
    };
    await Promise.all(Array.from({ length: 6 }, worker));
    expect(answers).toHaveLength(60);
    expect(answers.every((a) => a.status === 201)).toBe(true);
    expect(fake.sandbox.orders().length - made).toBe(60);
    expect(new Set(answers.map((a) => json(a).order_id)).size).toBe(60);
    // The ledger could not be written meanwhile: each such order went out on its own, said with what reconciles it, and counted.
    expect(shims.map((s) => s.stdout()).join("")).toMatch(
      /"level":40[^\n]*"req_id":"[^"]+"[^\n]*"alternative_order_id":"v1shim[0-9a-f]{32}"[^\n]*the state store cannot be used: this order is placed as a new one/,
    );
    const unprotected = await Promise.all(urls.map(metricsOf));
    expect(unprotected.join("")).toMatch(/^shim_orders_unprotected_total [1-9]\d*$/m);

    await own.start();
    for (const url of urls) {
      await eventually(`${url} sharing its store again`, async () =>
        expect(await metricsOf(url)).toMatch(/^shim_state_up\{backend="redis"\} 1$/m),
      );
    }
    expect((await order(urls[0]!, { "User-Agent": "AfterTheOutage/1" })).status).toBe(201);
    // Another replica reads it from the shared ledger (its outcome, written a moment after the answer, soon after).
    const newest = await eventually("the newest order created, seen from another replica", async () => {
      const [o] = json(await admin(urls[2]!, "/_shim/orders?limit=1")).orders;
      return o?.state === "created" && o;
    });
    expect(newest).toMatchObject({ replica: "replica-1", state: "created" });
  });

  it("reach Redis over TLS (rediss://), trusting the CA given to Node", async () => {
    // The server's certificate and then its intermediate, so that trusting the root is enough.
    const { root, server, chainFile } = makeServerChain("redis");
    const certificates = { caFile: root.certFile, ca: root.cert, certFile: chainFile, keyFile: server.keyFile };
    const tls = await startRedis({ tls: certificates });
    const env = { SHIM_STATE: tls.url, NODE_EXTRA_CA_CERTS: certificates.caFile };
    const { urls, shims } = await replicas(1, env);
    expect(shims[0]!.stdout()).toContain(`"state":"rediss://127.0.0.1:${tls.port}"`);
    expect((await order(urls[0]!)).status).toBe(201);
    await shims[0]!.stop();
    const again = await replicas(1, env);
    expect(json(await admin(again.urls[0]!, "/_shim/orders")).orders).toEqual([expect.objectContaining({ state: "created" })]);
    expect(again.shims[0]!.stdout()).not.toContain("the state store cannot be reached");
  });

  it("with SHIM_STATE_REQUIRED=true and Redis unreachable: 503 state_unavailable, and nothing reaches v2", async () => {
    fake.requests.length = 0;
    const { urls, shims } = await replicas(1, { SHIM_STATE: `redis://127.0.0.1:${await freePort()}`, SHIM_STATE_REQUIRED: "true" });
    const answer = await order(urls[0]!);
    expect(answer.status).toBe(503);
    expect(answer.headers["retry-after"]).toBe("5");
    expect(json(answer).errors[0].code).toBe("state_unavailable");
    expect(fake.requests).toEqual([]);
    expect(shims[0]!.stdout()).toMatch(/"level":50[^\n]*the state store cannot be reached: orders are refused/);
  });
});

describe("the embedded default (npm start, no SHIM_STATE)", () => {
  it("stops the start, naming SHIM_STATE, when its file cannot be opened", async () => {
    const dir = tempDir("shim-cwd-");
    const running = spawn({ SHIM_STATE: `sqlite:${dir}` });
    expect(await running.exited).toBe(1);
    expect(running.stderr()).toContain(`digicert-v1-shim: not starting. SHIM_STATE: cannot open the SQLite file ${dir}`);
  });

  it("keeps its state in ./data/shim-state.db, and the ledger survives a restart", async () => {
    fake = await startFakeV2();
    const cwd = tempDir("shim-cwd-");
    const env = { DIGICERT_API_URL: fake.url, SHIM_ADMIN_TOKEN: TOKEN, SHIM_STATE: "" };
    const first = spawn(env, cwd);
    const answer = await order(`http://127.0.0.1:${await first.listening}`);
    expect(answer.status).toBe(201);
    expect(first.stdout()).toContain('"state":"sqlite:./data/shim-state.db"');
    await first.stop();
    expect(existsSync(join(cwd, "data", "shim-state.db"))).toBe(true);

    const second = spawn(env, cwd);
    const { orders } = json(await admin(`http://127.0.0.1:${await second.listening}`, "/_shim/orders"));
    expect(orders).toEqual([expect.objectContaining({ state: "created", v2_order_id: json(answer).order_id, account_id: "001007" })]);
  });
});
