import { describe, expect, it } from "vitest";
import { type ScriptedAnswer, startFakeV2 } from "./support/fake-v2.js";
import { orderRequest, sendHttpMessage } from "./support/http-files.js";
import { spawnShim } from "./support/process.js";
import { exchange, rawOrder } from "./support/raw-http.js";

// What a hostile or unlucky client does to orders in flight, against the built
// process (node dist/shim.mjs) and a fake v2. What a shutdown does: shutdown.test.ts.

const spawn = spawnShim;
const seed = orderRequest();

describe("bytes after a request whose order is being placed", () => {
  it("never cut off its answer: the placed order's 201 is what the client hears", async () => {
    const fake = await startFakeV2();
    // v2 takes a while, so the trailing bytes are parsed while the order is in flight.
    fake.script({ delayMs: 300 });
    const port = await spawn({ DIGICERT_API_URL: fake.url }).listening;
    const received = await exchange(port, [`${rawOrder("Connection: close\r\n")}XYZ`]);
    expect(received).toMatch(/^HTTP\/1\.1 201 /);
    expect(received.match(/HTTP\/1\.1 /g)).toHaveLength(1);
    expect(JSON.parse(received.slice(received.indexOf("\r\n\r\n") + 4))).toEqual({ order_id: fake.sandbox.orders()[0]!.id });
    expect(fake.sandbox.orders()).toHaveLength(1);
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
