import { rmSync } from "node:fs";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { afterAll, beforeAll, beforeEach, describe, expect, it, onTestFinished } from "vitest";
import { type FakeV2, startFakeV2 } from "./support/fake-v2.js";
import { getMessage, type HttpMessage, orderRequest, sendHttpMessage } from "./support/http-files.js";
import { type ShimProcess, spawnShim } from "./support/process.js";
import { type RedisServer, startRedis } from "./support/redis.js";
import { tempDir } from "./support/temp-files.js";

// The order desk in built processes (node dist/shim.mjs, as npm start runs it) where
// what matters is outside one process: a store that stops, is deleted or is locked by
// another process, and a restart. test/desk.simulation.test.ts proves the protocol; these
// hold its edges to real Redis and SQLite. Every wait is on a log line or a state.

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

const orderPosts = () => fake.requests.filter((r) => r.method === "POST").length;

function seedOrder(headers: Record<string, string> = {}): HttpMessage {
  const seed = orderRequest();
  return { ...seed, headers: [...seed.headers.filter(([n]) => !(n in headers)), ...Object.entries(headers)] };
}
const order = async (url: string, headers: Record<string, string> = {}) => {
  const answer = await sendHttpMessage(url, seedOrder(headers));
  return { status: answer.status, body: JSON.parse(answer.text) as { order_id?: number; errors?: { code: string }[] } };
};
const metrics = async (url: string) => (await sendHttpMessage(url, getMessage("/metrics"))).text;

async function shim(env: Record<string, string>): Promise<{ process: ShimProcess; url: string }> {
  const process = spawnShim({ DIGICERT_API_URL: fake.url, SHIM_RETRY_WINDOW_MS: "600000", ...env });
  return { process, url: `http://127.0.0.1:${await process.listening}` };
}

describe("a Redis that stops answering (SIGSTOP) while the shim runs", () => {
  let redis: RedisServer;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    redis.resume();
    await redis.stop();
  });

  it("failing open: every order answered, Idempotency-Key or not, none a 500; each said at warn and counted; protected again once it answers", async () => {
    const { process, url } = await shim({ SHIM_STATE: `${redis.url}/1` });
    expect((await order(url)).status).toBe(201);
    redis.pause();
    // A failed test leaves Redis answering for the next.
    onTestFinished(() => redis.resume());
    const answers = [await order(url, { "Idempotency-Key": "paused-1" }), await order(url), await order(url)];
    expect(answers.map((a) => a.status)).toEqual([201, 201, 201]);
    await process.logged(/"level":40[^\n]*the state store cannot be used: this order is placed as a new one/, 3);
    expect(await metrics(url)).toMatch(/^shim_orders_unprotected_total 3$/m);
    redis.resume();
    await process.logged(/the state store answers again/);
    const posts = orderPosts();
    const a = await order(url, { "Idempotency-Key": "after" });
    const b = await order(url, { "Idempotency-Key": "after" });
    expect(b).toEqual(a);
    expect(orderPosts()).toBe(posts + 1);
  });

  it("failing closed (SHIM_STATE_REQUIRED=true), Redis killed while it runs: 503 state_unavailable, nothing sent", async () => {
    const own = await startRedis();
    const { url } = await shim({ SHIM_STATE: own.url, SHIM_STATE_REQUIRED: "true" });
    expect((await order(url)).status).toBe(201);
    await own.kill();
    const posts = orderPosts();
    for (const headers of [{}, { "Idempotency-Key": "closed" }] as Record<string, string>[]) {
      const refused = await order(url, headers);
      expect(refused.status).toBe(503);
      expect(refused.body.errors![0]!.code).toBe("state_unavailable");
    }
    expect(orderPosts()).toBe(posts);
  });
});

// On SQLite the secret is in the file, so a retry after kill -9 and a restart is recognised:
// test/client-retries.process.test.ts, "a retry after its replica died".
describe("a retry after a restart, without SHIM_RETRY_FINGERPRINT_KEY", () => {
  it("on memory, is said at start not to be recognised: the secret lives in the process", async () => {
    const { process } = await shim({ SHIM_STATE: "memory" });
    await process.logged(
      /"level":40[^\n]*SHIM_STATE=memory: the ledger and the secret that client retries are recognised by live in this process/,
    );
    const keyed = await shim({ SHIM_STATE: "memory", SHIM_RETRY_FINGERPRINT_KEY: "k".repeat(32) });
    expect(keyed.process.stdout()).not.toContain("SHIM_STATE=memory");
  });
});

describe("a SQLite state file", () => {
  it("deleted while the shim runs: said to be down (an error line, shim_state_up 0), made anew, and what is written after outlives a restart", async () => {
    const path = join(tempDir("shim-desk-deleted-"), "state.db");
    const env = { SHIM_STATE: `sqlite:${path}`, SHIM_REPLICA_ID: "replica-1" };
    const first = await shim(env);
    expect((await order(first.url, { "User-Agent": "Before/1" })).status).toBe(201);
    for (const file of ["", "-wal", "-shm"]) rmSync(path + file, { force: true });
    await first.process.logged(/"level":50[^\n]*the SQLite file was deleted[^\n]*the state store cannot be reached/);
    await first.process.logged(/the state store answers again/);

    const placed = await order(first.url);
    expect(placed.status).toBe(201);
    await first.process.stop();
    const second = await shim(env);
    const retry = await order(second.url);
    expect(retry).toEqual(placed);
    expect(orderPosts()).toBe(2);
  });

  it("locked by another process: said to be down while it is, orders still answered, the probes too; shared again once it is free", async () => {
    const path = join(tempDir("shim-desk-locked-"), "state.db");
    const { process, url } = await shim({ SHIM_STATE: `sqlite:${path}` });
    expect((await order(url)).status).toBe(201);
    // The shim writes in the background (its beat, the clients view): the holder waits its turn to lock, bounded.
    const holder = new DatabaseSync(path, { timeout: 10_000 });
    onTestFinished(() => holder.close());
    holder.exec("BEGIN EXCLUSIVE");
    await process.logged(/"level":50[^\n]*locked[^\n]*the state store cannot be reached/);
    expect(await metrics(url)).toMatch(/^shim_state_up\{backend="sqlite"\} 0$/m);
    const answer = await order(url, { "User-Agent": "WhileLocked/1" });
    expect(answer.status).toBe(201);
    expect((await sendHttpMessage(url, getMessage("/healthz"))).status).toBe(200);
    holder.exec("ROLLBACK");
    await process.logged(/the state store answers again/);
    expect(await metrics(url)).toMatch(/^shim_state_up\{backend="sqlite"\} 1$/m);
  });
});
