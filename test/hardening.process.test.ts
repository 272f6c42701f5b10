import { connect } from "node:net";
import { describe, expect, it } from "vitest";
import { eventually } from "./support/eventually.js";
import { type ScriptedAnswer, startFakeV2 } from "./support/fake-v2.js";
import { hold } from "./support/hold.js";
import { orderRequest, sendHttpMessage } from "./support/http-files.js";
import { sampleValue, scrape } from "./support/metrics.js";
import { spawnShim } from "./support/process.js";

// What a hostile or unlucky client, or an unlucky shutdown, does to orders in
// flight, against the built process (node dist/shim.mjs) and a fake v2.

const spawn = spawnShim;
const seed = orderRequest();

/** The seed's order as raw HTTP with its exact Content-Length, and `extra` headers. */
function rawOrder(extra: string): string {
  const headers = seed.headers.filter(([name]) => name !== "Content-Length").map(([name, value]) => `${name}: ${value}\r\n`);
  return `POST /order/code HTTP/1.1\r\nHost: shim\r\n${headers.join("")}${extra}Content-Length: ${Buffer.byteLength(seed.body)}\r\n\r\n${seed.body}`;
}

/** Writes `text` on a fresh connection and resolves with everything the shim sent until it closed. */
function exchange(port: number, text: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1", () => socket.write(text));
    let received = "";
    socket.on("data", (chunk) => (received += chunk.toString()));
    socket.on("error", () => undefined);
    socket.on("close", () => resolve(received));
  });
}

describe("bytes after a request whose order is being placed", () => {
  it("never cut off its answer: the placed order's 201 is what the client hears", async () => {
    const fake = await startFakeV2();
    // v2 takes a while, so the trailing bytes are parsed while the order is in flight.
    fake.script({ delayMs: 300 });
    const port = await spawn({ DIGICERT_API_URL: fake.url }).listening;
    const received = await exchange(port, `${rawOrder("Connection: close\r\n")}XYZ`);
    expect(received).toMatch(/^HTTP\/1\.1 201 /);
    expect(received.match(/HTTP\/1\.1 /g)).toHaveLength(1);
    expect(JSON.parse(received.slice(received.indexOf("\r\n\r\n") + 4))).toEqual({ order_id: fake.sandbox.orders()[0]!.id });
    expect(fake.sandbox.orders()).toHaveLength(1);
  });
});

describe("SIGTERM", () => {
  it("keeps the request timeouts running while it drains: a stalled upload gets its 408, and the process exits", async () => {
    // The deadline is far past the test's timeout: only the request timeout can end this drain in time.
    const shim = spawn({ SHIM_HEADERS_TIMEOUT_MS: "500", SHIM_REQUEST_TIMEOUT_MS: "1500", SHIM_DEADLINE_MS: "120000" });
    const port = await shim.listening;
    const stalled = exchange(port, rawOrder("").slice(0, -20));
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
    const shim = spawn({});
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
    const shim = spawn({ DIGICERT_API_URL: fake.url });
    const port = await shim.listening;
    const keptAlive = connect(port, "127.0.0.1");
    let received = "";
    keptAlive.on("data", (chunk) => (received += chunk.toString()));
    keptAlive.write("GET /readyz HTTP/1.1\r\nHost: shim\r\n\r\n");
    await eventually("the kept-alive connection's first answer", () => received.includes('"ready"'));
    const inFlight = exchange(port, rawOrder("Connection: close\r\n"));
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

describe("look-ups that cannot be relied on, against the built process", () => {
  // No v2 here hangs: time for a busy machine, never waited out.
  const settings = {
    SHIM_UPSTREAM_TIMEOUT_MS: "5000",
    SHIM_DEADLINE_MS: "20000",
    SHIM_RETRY_BASE_MS: "20",
    SHIM_RETRY_AFTER_CAP_MS: "200",
  };
  const V2_NOT_FOUND: ScriptedAnswer = {
    for: "lookup",
    status: 404,
    body: { errors: [{ code: "not_found", message: "No orders were found." }] },
  };
  const PROXY_NOT_FOUND: ScriptedAnswer = {
    for: "lookup",
    status: 404,
    headers: { "Content-Type": "text/html" },
    text: "<html><head><title>404 Not Found</title></head><body><center>nginx</center></body></html>",
  };
  const reconcileLines = (stdout: string) =>
    stdout
      .split("\n")
      .filter((line) => line.startsWith("{"))
      .map((line) => JSON.parse(line) as { level: number; msg: string; alternative_order_id?: string })
      .filter((line) => line.level === 50 && line.msg.includes("reconcile"));

  it("never passes on a refused re-send whose confirming look-up failed, and never orders again on a proxy's 404", async () => {
    const fake = await startFakeV2();
    const shim = spawn({ DIGICERT_API_URL: fake.url, ...settings });
    const url = `http://127.0.0.1:${await shim.listening}`;
    // Made, answer lost; none (v2's own 404); the re-send refused; the confirming look-ups fail.
    fake.script(
      { create: true, drop: true },
      V2_NOT_FOUND,
      { status: 400, body: { errors: [{ code: "duplicate_alternative_order_id", message: "The id is already in use." }] } },
      { for: "lookup", status: 500, text: "oops" },
      { for: "lookup", drop: true },
    );
    expect((await sendHttpMessage(url, seed)).status).toBe(503);
    // Made, answer lost; every look-up a proxy's HTML page.
    fake.script({ create: true, drop: true }, PROXY_NOT_FOUND, PROXY_NOT_FOUND, PROXY_NOT_FOUND);
    expect((await sendHttpMessage(url, seed)).status).toBe(503);

    const [refused, proxied] = fake.sandbox.orders();
    const sends = (id: string | undefined) => fake.requests.filter((r) => r.method === "POST" && id !== undefined && r.body.includes(id));
    expect(sends(refused?.body.alternative_order_id)).toHaveLength(2);
    expect(sends(proxied?.body.alternative_order_id)).toHaveLength(1);
    expect(fake.sandbox.orders()).toHaveLength(2);
    await shim.stop();
    const alarms = reconcileLines(shim.stdout()).map((line) => line.alternative_order_id);
    expect(alarms).toEqual(expect.arrayContaining([refused?.body.alternative_order_id, proxied?.body.alternative_order_id]));
  });
});
