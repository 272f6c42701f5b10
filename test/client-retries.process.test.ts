import { mkdtempSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { eventually } from "./support/eventually.js";
import { type FakeV2, startFakeV2 } from "./support/fake-v2.js";
import { hold } from "./support/hold.js";
import { getMessage, type HttpMessage, orderRequest, sendHttpMessage } from "./support/http-files.js";
import { sampleValue, scrape } from "./support/metrics.js";
import { spawnShim } from "./support/process.js";
import { hangUp } from "./support/raw-http.js";
import { type RedisServer, startRedis } from "./support/redis.js";

// A legacy client's own retries of one order, against the built process
// (node dist/shim.mjs) and the fault-injecting fake v2. v2 holds an order until
// the test has seen what it waits for (a client gone, a retry in flight), so that
// nothing depends on how fast the machine is; nothing asserts how fast anything is.

const TOKEN = "an-admin-token-for-these-tests";
const spawn = spawnShim;
let fake: FakeV2;

beforeAll(async () => {
  fake = await startFakeV2();
});
afterAll(async () => {
  await fake.close();
});
beforeEach(() => {
  fake.requests.length = 0;
});

/** The seed order, or with some fields changed (its Content-Length to match). */
function seedOrder(changes: Record<string, string> = {}, headers: Record<string, string> = {}): HttpMessage {
  const seed = orderRequest();
  const body = JSON.stringify({ ...JSON.parse(seed.body), ...changes });
  return {
    ...seed,
    headers: [
      ...seed.headers.filter(([n]) => n !== "Content-Length" && !(n in headers)),
      ["Content-Length", String(Buffer.byteLength(body))],
      ...Object.entries(headers),
    ],
    body,
  };
}
const order = async (url: string, message = seedOrder()) => {
  const answer = await sendHttpMessage(url, message);
  return { status: answer.status, body: JSON.parse(answer.text) };
};
const orderPosts = () => fake.requests.filter((r) => r.method === "POST").length;
const lookups = () => fake.requests.filter((r) => r.path.startsWith("/order/alternate/")).length;
const ledger = async (url: string) =>
  JSON.parse((await sendHttpMessage(url, getMessage("/_shim/orders", { Authorization: `Bearer ${TOKEN}` }))).text).orders as {
    state: string;
    v2_order_id: number | null;
    fingerprint: string | null;
  }[];

/** The requests a shim is answering (the order path's, not the scrape's): a retry that waits beside its first is one of them. */
const inFlight = async (url: string) => sampleValue(await scrape(url), "shim_http_requests_in_flight ") ?? 0;

/**
 * Sends the order on a raw connection and closes it as soon as v2 has the order;
 * v2 answers only once the shim has closed the connection its client left: the client never hears the 201.
 */
async function orderAndHangUp(port: number): Promise<void> {
  const { released, release } = hold();
  fake.script({ until: released });
  const message = seedOrder();
  const head = message.headers.map(([n, v]) => `${n}: ${v}\r\n`).join("");
  const posts = orderPosts();
  const socket = connect(port, "127.0.0.1", () => socket.write(`POST /order/code HTTP/1.1\r\nHost: shim\r\n${head}\r\n${message.body}`));
  socket.on("error", () => undefined);
  await eventually("the order at v2", () => orderPosts() > posts);
  await hangUp(socket);
  release();
}

async function shim(env: Record<string, string> = {}) {
  const process = spawn({ DIGICERT_API_URL: fake.url, SHIM_ADMIN_TOKEN: TOKEN, SHIM_RETRY_WINDOW_MS: "600000", ...env });
  return { process, url: `http://127.0.0.1:${await process.listening}` };
}

describe("a client's retry inside the window", () => {
  it("whose first answer was lost after the order was made gets that order, and v2 one order", async () => {
    const { process, url } = await shim();
    const before = fake.sandbox.orders().length;
    await orderAndHangUp(Number(new URL(url).port));
    await process.logged(/the client left before its answer/);

    const retry = await order(url);
    expect(retry.status).toBe(201);
    const made = fake.sandbox.orders().slice(before);
    expect(made).toHaveLength(1);
    expect(retry.body).toEqual({ order_id: made[0]!.id });
    expect(orderPosts()).toBe(1);
    // The request's line is written once its answer is sent.
    await process.logged(/"replayed_from":"[^"]+"[^\n]*"msg":"request"/);
    const metrics = await sendHttpMessage(url, getMessage("/metrics"));
    expect(metrics.text).toMatch(/^shim_orders_replayed_total 1$/m);
  });

  it("arriving while the first still waits for v2 waits for it: both answers carry the one order's id", async () => {
    const { url } = await shim();
    const { released, release } = hold();
    fake.script({ until: released });
    const first = order(url);
    await eventually("the first at v2", () => orderPosts() === 1);
    const retry = order(url);
    await eventually("the retry waiting beside the first", async () => (await inFlight(url)) === 2);
    release();
    const [a, b] = await Promise.all([first, retry]);
    expect(a.status).toBe(201);
    expect(b).toEqual(a);
    expect(orderPosts()).toBe(1);
  });

  it("after a refusal is a new order: the refusal made nothing", async () => {
    const { url } = await shim();
    fake.script({ status: 400, body: { errors: [{ code: "invalid_input", message: "no" }] } });
    expect((await order(url)).status).toBe(400);
    expect((await order(url)).status).toBe(201);
    expect(orderPosts()).toBe(2);
  });

  it("of a different order from the same account is a new order", async () => {
    const { url } = await shim();
    const a = await order(url);
    const b = await order(url, seedOrder({ org_contact_firstname: "Mary" }));
    expect(b.status).toBe(201);
    expect(b.body.order_id).not.toBe(a.body.order_id);
    expect(orderPosts()).toBe(2);
  });

  it("keeps no order field in clear in the ledger: its fingerprint is a keyed digest", async () => {
    const { url } = await shim();
    await order(url);
    const [entry] = await ledger(url);
    expect(entry!.fingerprint).toMatch(/^[\w-]{43}$/);
  });
});

describe("outside the window", () => {
  it("a second identical order after the window is a second order", async () => {
    const { url } = await shim({ SHIM_RETRY_WINDOW_MS: "200" });
    const a = await order(url);
    // The window must pass: this wait is the point, and a busy machine only makes it longer.
    await sleep(400);
    const b = await order(url);
    expect(b.status).toBe(201);
    expect(b.body.order_id).not.toBe(a.body.order_id);
    expect(orderPosts()).toBe(2);
  });

  it("with the window 0, every request is a new order", async () => {
    const { url } = await shim({ SHIM_RETRY_WINDOW_MS: "0" });
    const answers = [await order(url), await order(url), await order(url)];
    expect(new Set(answers.map((a) => a.body.order_id)).size).toBe(3);
    expect(orderPosts()).toBe(3);
  });
});

describe("a retry after its replica died", () => {
  it("(SIGKILL while the order was at v2, then restarted) finds the order by look-up: one order, the ledger ends created", async () => {
    const env = {
      SHIM_STATE: `sqlite:${join(mkdtempSync(join(tmpdir(), "shim-retries-")), "state.db")}`,
      SHIM_REPLICA_ID: "replica-1",
    };
    const first = await shim(env);
    const before = fake.sandbox.orders().length;
    // v2 makes the order and never answers: the shim dies waiting.
    fake.script({ create: true, hang: true });
    void order(first.url).catch(() => undefined);
    await eventually("the order at v2", () => orderPosts() === 1);
    first.process.child.kill("SIGKILL");
    await first.process.exited;

    const second = await shim(env);
    const retry = await order(second.url);
    const made = fake.sandbox.orders().slice(before);
    expect(made).toHaveLength(1);
    expect(retry).toEqual({ status: 201, body: { order_id: made[0]!.id } });
    expect(orderPosts()).toBe(1);
    expect(lookups()).toBeGreaterThanOrEqual(1);
    await second.process.logged(/"recovered_by_lookup":true/);
    // The outcome is written a moment after the answer.
    const entries = await eventually("the ledger's entry created", async () => {
      const read = await ledger(second.url);
      return read[0]?.state === "created" && read;
    });
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ state: "created", v2_order_id: made[0]!.id });
  });
});

describe("replicas sharing one Redis", () => {
  let redis: RedisServer;
  let database = 0;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis.stop();
  });

  async function two() {
    // No SHIM_RETRY_FINGERPRINT_KEY: the first replica makes the secret, and keeps it in Redis for both.
    const env = { SHIM_STATE: `${redis.url}/${++database}` };
    return Promise.all([shim({ ...env, SHIM_REPLICA_ID: "replica-a" }), shim({ ...env, SHIM_REPLICA_ID: "replica-b" })]);
  }

  it("a retry on another replica while the first waits for v2 gets the same order", async () => {
    const [a, b] = await two();
    const { released, release } = hold();
    fake.script({ until: released });
    const first = order(a.url);
    await eventually("the first at v2", () => orderPosts() === 1);
    const retry = order(b.url);
    await eventually("the retry waiting on the other replica", async () => (await inFlight(b.url)) === 1);
    release();
    const [x, y] = await Promise.all([first, retry]);
    expect(x.status).toBe(201);
    expect(y).toEqual(x);
    expect(orderPosts()).toBe(1);
  });

  it("a retry on another replica after the answer was lost gets that order", async () => {
    const [a, b] = await two();
    const before = fake.sandbox.orders().length;
    await orderAndHangUp(Number(new URL(a.url).port));
    await a.process.logged(/the client left before its answer/);
    const retry = await order(b.url);
    const made = fake.sandbox.orders().slice(before);
    expect(made).toHaveLength(1);
    expect(retry).toEqual({ status: 201, body: { order_id: made[0]!.id } });
    expect(orderPosts()).toBe(1);
  });

  it("two identical orders arriving together on two replicas make one order", async () => {
    const [a, b] = await two();
    const { released, release } = hold();
    fake.script({ until: released });
    const both = Promise.all([order(a.url), order(b.url)]);
    await eventually("both at their replicas", async () => (await inFlight(a.url)) + (await inFlight(b.url)) === 2);
    release();
    const [x, y] = await both;
    expect(x.status).toBe(201);
    expect(y).toEqual(x);
    expect(orderPosts()).toBe(1);
  });
});

describe("Idempotency-Key", () => {
  const keyed = (key: string, changes: Record<string, string> = {}) => seedOrder(changes, { "Idempotency-Key": key });

  it("the same key and body: one order, the same answer, v2 asked before the first send", async () => {
    const { url } = await shim();
    const a = await order(url, keyed('"8e03978e-40d5-43e8-bc93-6894a57f9324"'));
    const b = await order(url, keyed('"8e03978e-40d5-43e8-bc93-6894a57f9324"'));
    expect(a.status).toBe(201);
    expect(b).toEqual(a);
    expect(orderPosts()).toBe(1);
    expect(fake.requests[0]!.path).toMatch(/^\/order\/alternate\/v1shim[0-9a-f]{32}/);
  });

  it("the same key with another order: 422 idempotency_key_reused, nothing sent", async () => {
    const { url } = await shim();
    expect((await order(url, keyed("key-1"))).status).toBe(201);
    const reused = await order(url, keyed("key-1", { org_contact_firstname: "Mary" }));
    expect(reused.status).toBe(422);
    expect(reused.body.errors[0].code).toBe("idempotency_key_reused");
    expect(orderPosts()).toBe(1);
  });

  it("while its first request is still being placed: 409 idempotency_key_in_progress", async () => {
    const { url } = await shim();
    const { released, release } = hold();
    fake.script({ until: released });
    const first = order(url, keyed("key-2"));
    await eventually("the first at v2", () => orderPosts() === 1);
    const second = await order(url, keyed("key-2"));
    release();
    expect(second.status).toBe(409);
    expect(second.body.errors[0].code).toBe("idempotency_key_in_progress");
    expect((await first).status).toBe(201);
    expect(orderPosts()).toBe(1);
  });

  it("longer than 255 characters: 400 invalid_param:idempotency_key, nothing sent", async () => {
    const { url } = await shim();
    const refused = await order(url, keyed("k".repeat(256)));
    expect(refused.status).toBe(400);
    expect(refused.body.errors[0].code).toBe("invalid_param:idempotency_key");
    expect(fake.requests).toHaveLength(0);
  });

  it("holds a request to its key alone: the same body under two keys is two orders, inside the window", async () => {
    const { url } = await shim();
    const a = await order(url, keyed("key-3"));
    const b = await order(url, keyed("key-4"));
    expect(b.status).toBe(201);
    expect(b.body.order_id).not.toBe(a.body.order_id);
    expect(orderPosts()).toBe(2);
  });
});
