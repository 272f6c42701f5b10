import { connect } from "node:net";
import { request } from "undici";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../src/config/config.js";
import { Lifecycle } from "../src/http/lifecycle.js";
import { createLogger } from "../src/observability/log.js";
import { startServer } from "../src/server.js";
import { inProcessApp } from "./support/app.js";
import { eventually } from "./support/eventually.js";
import { startFakeV2 } from "./support/fake-v2.js";
import { hold } from "./support/hold.js";
import { orderRequest, sendHttpMessage } from "./support/http-files.js";
import { sampleValue, scrape } from "./support/metrics.js";
import { spawnShim } from "./support/process.js";
import { exchange, rawOrder } from "./support/raw-http.js";

// Every test of draining: readiness through the grace, refusals during the drain,
// what a drain that must end first leaves for reconciliation, and the signals.

const seed = orderRequest();
const seedHeaders = Object.fromEntries(seed.headers.filter(([name]) => name !== "Content-Length"));

/** Resolves with the error code of a new connection to `port`, or "connected". */
const connectOutcome = (port: number) =>
  new Promise<string>((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve("connected");
    });
    socket.once("error", (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
  });

/**
 * New connections to `port` refused, while v2 still holds the orders in flight. The
 * draining line is written just before the listener closes: the test may read it first.
 */
const refusesConnections = (port: number) =>
  eventually("new connections refused", async () => expect(await connectOutcome(port)).toBe("ECONNREFUSED"));

describe("health and readiness through a drain (in process)", () => {
  it("says alive and ready; from the signal on, not ready while it still serves; then turns new requests away while it drains", async () => {
    const lifecycle = new Lifecycle();
    const { app, sandbox } = await inProcessApp({ lifecycle });
    const order = () => app.request("/order/code", { method: "POST", headers: seedHeaders, body: seed.body });
    expect(await (await app.request("/healthz")).json()).toEqual({ status: "alive" });
    expect(await (await app.request("/readyz")).json()).toEqual({ status: "ready" });
    expect((await app.request("/healthz", { headers: { Accept: "text/html" } })).status).toBe(200);

    // The grace: probes see the drain coming, and a request routed before the endpoint is removed is served.
    lifecycle.stopReadiness();
    const notReady = await app.request("/readyz");
    expect([notReady.status, await notReady.json()]).toEqual([503, { status: "draining" }]);
    expect((await order()).status).toBe(201);

    lifecycle.startDraining();
    expect((await app.request("/healthz")).status).toBe(200);
    const draining = await app.request("/readyz");
    expect([draining.status, await draining.json()]).toEqual([503, { status: "draining" }]);
    const refused = await order();
    expect(refused.status).toBe(503);
    expect(refused.headers.get("connection")).toBe("close");
    expect(await refused.json()).toEqual({
      errors: [{ code: "shutting_down", description: "This instance is shutting down; send the request again." }],
    });
    expect(sandbox.orders()).toHaveLength(1);
  });
});

describe("a drain that must end before its orders do", () => {
  it("writes the reconcile line of every order still in flight", async () => {
    const fake = await startFakeV2();
    fake.script({ hang: true });
    const lines: string[] = [];
    // In memory: the default SQLite file in ./data would keep this order's placement, and the next run would look it up first.
    const running = await startServer(
      loadConfig({ DIGICERT_API_URL: fake.url, PORT: "0", HOST: "127.0.0.1", SHIM_STATE: "memory" }),
      createLogger("info", { write: (line: string) => void lines.push(line) }),
    );
    const answer = sendHttpMessage(`http://127.0.0.1:${running.port}`, seed).catch(() => undefined);
    await eventually("the order at v2", () => fake.requests.length === 1);
    expect(await running.drain(100)).toBe(false);
    const sent = JSON.parse(fake.requests[0]!.body) as { alternative_order_id: string };
    const reconcile = lines.map((line) => JSON.parse(line)).filter((line) => /in flight: .*reconcile/.test(line.msg));
    expect(reconcile).toMatchObject([{ level: 50, account_id: "001007", alternative_order_id: sent.alternative_order_id }]);
    await answer;
  });
});

describe("SIGTERM under load (node --max-semi-space-size=8 dist/shim.mjs, as docs/operations.md starts it)", () => {
  it("answers /readyz 503 draining and still serves through SHIM_SHUTDOWN_GRACE_MS, then stops taking connections and answers every order in flight", async () => {
    const IN_FLIGHT = 40;
    const fake = await startFakeV2();
    // v2 holds every order until the test lets them go, so all of them are in flight through the grace and the drain.
    const { released, release } = hold();
    fake.script(...Array.from({ length: IN_FLIGHT }, () => ({ until: released })));
    const shim = spawnShim({ DIGICERT_API_URL: fake.url, SHIM_SHUTDOWN_GRACE_MS: "5000" });
    const port = await shim.listening;
    const url = `http://127.0.0.1:${port}`;
    const answers = Promise.all(Array.from({ length: IN_FLIGHT }, () => sendHttpMessage(url, orderRequest())));
    await eventually("the orders at v2", () => fake.requests.length === IN_FLIGHT);

    shim.child.kill("SIGTERM");
    await shim.logged(/"grace_ms":5000[^\n]*"msg":"not ready/);
    // The grace: probes see the drain coming, and a request routed before the endpoint is removed is served.
    const ready = await request(`${url}/readyz`, { reset: true });
    expect([ready.statusCode, await ready.body.json()]).toEqual([503, { status: "draining" }]);
    const routedLate = await sendHttpMessage(url, orderRequest());
    expect(routedLate.status).toBe(201);

    // Then the drain: no new connection is taken, and the orders in flight are still answered.
    await shim.logged(/"in_flight":40[^\n]*"msg":"draining/);
    await refusesConnections(port);
    release();
    const finished = await answers;
    expect(finished.map((a) => a.status)).toEqual(Array(IN_FLIGHT).fill(201));
    expect(fake.sandbox.orders()).toHaveLength(IN_FLIGHT + 1);
    expect(await shim.exited).toBe(0);
    expect(shim.stdout()).toContain('"msg":"stopped"');
  });

  it("SIGINT (a person's Ctrl-C) skips the grace: it stops taking connections at once", async () => {
    const fake = await startFakeV2();
    const { released, release } = hold();
    fake.script({ until: released });
    const shim = spawnShim({ DIGICERT_API_URL: fake.url, SHIM_SHUTDOWN_GRACE_MS: "5000" });
    const port = await shim.listening;
    const answer = sendHttpMessage(`http://127.0.0.1:${port}`, orderRequest());
    await eventually("the order at v2", () => fake.requests.length === 1);
    shim.child.kill("SIGINT");
    await shim.logged(/"in_flight":1[^\n]*"msg":"draining/);
    expect(shim.stdout()).not.toContain("not ready");
    await refusesConnections(port);
    release();
    expect((await answer).status).toBe(201);
    expect(await shim.exited).toBe(0);
  });
});

describe("SIGTERM, one order or none in flight (node dist/shim.mjs)", () => {
  it("keeps the request timeouts running while it drains: a stalled upload gets its 408, and the process exits", async () => {
    // The deadline is far past the test's timeout: only the request timeout can end this drain in time.
    const shim = spawnShim({ SHIM_HEADERS_TIMEOUT_MS: "500", SHIM_REQUEST_TIMEOUT_MS: "1500", SHIM_DEADLINE_MS: "120000" });
    const port = await shim.listening;
    const stalled = exchange(port, [rawOrder("").slice(0, -20)]);
    const health = await fetch(`http://127.0.0.1:${port}/readyz`);
    expect(health.status).toBe(200);
    // The stalled request is in flight once the app has its headers.
    await eventually("the stalled upload in flight", async () =>
      expect(sampleValue(await scrape(`http://127.0.0.1:${port}`), "shim_http_requests_in_flight ")).toBe(1),
    );
    shim.child.kill("SIGTERM");
    expect(await stalled).toMatch(/^HTTP\/1\.1 408 /);
    expect(await shim.exited).toBe(0);
  });

  it("ends even when nothing reads its standard output, so that its last log lines cannot be written", async () => {
    const shim = spawnShim({});
    const port = await shim.listening;
    shim.child.stdout!.pause();
    // Each 404 writes a log line of about 1 KiB: enough to fill the pipe and the reader's buffer.
    for (let i = 0; i < 400; i++) await (await fetch(`http://127.0.0.1:${port}/${"x".repeat(800)}${i}`)).arrayBuffer();
    shim.child.kill("SIGTERM");
    expect(await shim.exited).toBe(0);
    shim.child.stdout!.resume();
  });

  it("answers a request on an idle kept-alive connection with 503 shutting_down while others finish", async () => {
    const fake = await startFakeV2();
    // v2 holds the other order until the kept-alive connection has had its answer.
    const { released, release } = hold();
    fake.script({ until: released });
    const shim = spawnShim({ DIGICERT_API_URL: fake.url });
    const port = await shim.listening;
    const keptAlive = connect(port, "127.0.0.1");
    let received = "";
    keptAlive.on("data", (chunk) => (received += chunk.toString()));
    keptAlive.write("GET /readyz HTTP/1.1\r\nHost: shim\r\n\r\n");
    await eventually("the kept-alive connection's first answer", () => received.includes('"ready"'));
    const inFlight = exchange(port, [rawOrder("Connection: close\r\n")]);
    await eventually("the other order at v2", () => fake.requests.length === 1);
    shim.child.kill("SIGTERM");
    await shim.logged(/"in_flight":1[^\n]*"msg":"draining/);
    received = "";
    keptAlive.write(rawOrder(""));
    await new Promise((resolve) => keptAlive.once("close", resolve));
    release();
    expect(received).toMatch(/^HTTP\/1\.1 503 /);
    expect(received).toMatch(/\r\nconnection: close\r\n/i);
    expect(received).toContain('"code":"shutting_down"');
    expect(await inFlight).toMatch(/^HTTP\/1\.1 201 /);
    expect(fake.sandbox.orders()).toHaveLength(1);
    expect(await shim.exited).toBe(0);
  });
});
