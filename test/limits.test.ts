import { connect } from "node:net";
import { Readable } from "node:stream";
import { request } from "undici";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../src/config/config.js";
import { Lifecycle } from "../src/http/lifecycle.js";
import { createLogger } from "../src/observability/log.js";
import { startServer } from "../src/server.js";
import { inProcessApp } from "./support/app.js";
import { startFakeV2 } from "./support/fake-v2.js";
import { basicAuth, orderRequest, sendHttpMessage } from "./support/http-files.js";
import { startShim } from "./support/shim.js";

const seed = orderRequest();
const seedHeaders = Object.fromEntries(seed.headers.filter(([name]) => name !== "Content-Length"));

describe("the body limit", () => {
  it("refuses a body over SHIM_MAX_BODY_BYTES with a 413 v1 error, from its declared length", async () => {
    const fake = await startFakeV2();
    const shim = await startShim({ DIGICERT_API_URL: fake.url, SHIM_MAX_BODY_BYTES: "2048" });
    try {
      const padded = JSON.stringify({ ...JSON.parse(seed.body), org_unit: "x".repeat(3000) });
      const answer = await request(`${shim.url}/order/code`, {
        method: "POST",
        headers: { ...seedHeaders, Accept: "application/xml" },
        body: padded,
      });
      expect(answer.statusCode).toBe(413);
      expect(answer.headers["content-type"]).toBe("application/vnd.digicert.error+xml");
      expect(await answer.body.text()).toBe(
        "<errors><error><code>body_too_large</code><description>The body may be at most 2048 bytes.</description></error></errors>",
      );
      expect(fake.requests).toEqual([]);
    } finally {
      await shim.close();
      await fake.close();
    }
  });

  it("counts a body without a declared length while reading it, and stops there", async () => {
    const shim = await startShim({ SHIM_MAX_BODY_BYTES: "2048" });
    try {
      let sent = 0;
      const endless = new Readable({
        read() {
          sent += 1024;
          this.push(sent > 1024 * 1024 ? null : Buffer.alloc(1024, " "));
        },
      });
      const answer = await request(`${shim.url}/order/code`, { method: "POST", headers: seedHeaders, body: endless });
      expect(answer.statusCode).toBe(413);
      expect(JSON.parse(await answer.body.text())).toEqual({
        errors: [{ code: "body_too_large", description: "The body may be at most 2048 bytes." }],
      });
      expect(shim.sandbox!.orders()).toEqual([]);
    } finally {
      await shim.close();
    }
  });

  it("gives XML bodies the tighter SHIM_MAX_XML_BODY_BYTES (16 KiB by default), and JSON bodies the general limit", async () => {
    const shim = await startShim();
    try {
      const xml = orderRequest("seed-sample-xml");
      const xmlHeaders = Object.fromEntries(xml.headers.filter(([name]) => name !== "Content-Length"));
      // Padding in an unknown field, which the shim ignores: only the size differs from the seed's order.
      const paddedXml = xml.body.replace("</order>", `<note>${"x".repeat(17_000)}</note></order>`);
      const refused = await request(`${shim.url}/order/code`, { method: "POST", headers: xmlHeaders, body: paddedXml });
      expect(refused.statusCode).toBe(413);
      expect(await refused.body.text()).toContain("The body may be at most 16384 bytes.");
      const paddedJson = JSON.stringify({ ...JSON.parse(seed.body), note: "x".repeat(17_000) });
      const ordered = await request(`${shim.url}/order/code`, { method: "POST", headers: seedHeaders, body: paddedJson });
      expect(ordered.statusCode).toBe(201);
      await ordered.body.dump();
      expect(shim.sandbox!.orders()).toHaveLength(1);
    } finally {
      await shim.close();
    }
  });

  it("asks for credentials before it reads a body", async () => {
    const shim = await startShim({ SHIM_MAX_BODY_BYTES: "2048" });
    try {
      const { Authorization: _, ...anonymous } = seedHeaders;
      const answer = await request(`${shim.url}/order/code`, { method: "POST", headers: anonymous, body: "x".repeat(100_000) });
      expect(answer.statusCode).toBe(401);
      await answer.body.dump();
    } finally {
      await shim.close();
    }
  });
});

/** Writes `parts` to a raw socket one by one, `gapMs` apart, and resolves with what the server sent when it closed. */
function slowClient(port: number, parts: string[], gapMs: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    let received = "";
    socket.on("data", (chunk) => (received += chunk.toString()));
    socket.on("close", () => resolve(received));
    socket.on("error", () => undefined);
    let i = 0;
    const next = () => {
      if (socket.destroyed || i >= parts.length) return;
      socket.write(parts[i++]!);
      setTimeout(next, gapMs);
    };
    next();
  });
}

describe("slow clients", () => {
  it("are cut off when their headers take longer than SHIM_HEADERS_TIMEOUT_MS", async () => {
    const shim = await startShim({ SHIM_HEADERS_TIMEOUT_MS: "300", SHIM_REQUEST_TIMEOUT_MS: "600" });
    try {
      const trickle = ["POST /order/code HTTP/1.1\r\n", ...Array.from({ length: 60 }, (_, i) => `X-Slow-${i}: a\r\n`)];
      const answer = await slowClient(Number(new URL(shim.url).port), trickle, 100);
      expect(answer).toMatch(/^HTTP\/1\.1 408/);
    } finally {
      await shim.close();
    }
  });

  it("are cut off when their body takes longer than SHIM_REQUEST_TIMEOUT_MS", async () => {
    const shim = await startShim({ SHIM_HEADERS_TIMEOUT_MS: "300", SHIM_REQUEST_TIMEOUT_MS: "600" });
    try {
      const head = `POST /order/code HTTP/1.1\r\nHost: x\r\nAuthorization: ${seedHeaders.Authorization}\r\nContent-Type: application/json\r\nContent-Length: 488\r\n\r\n`;
      const answer = await slowClient(Number(new URL(shim.url).port), [head, ...seed.body.split("\n").map((line) => `${line}\n`)], 150);
      expect(answer).toMatch(/^HTTP\/1\.1 408/);
      expect(shim.sandbox!.orders()).toEqual([]);
    } finally {
      await shim.close();
    }
  });
});

describe("clients that give up", () => {
  const head = `POST /order/code HTTP/1.1\r\nHost: x\r\nAuthorization: ${seedHeaders.Authorization}\r\nContent-Type: application/json\r\nContent-Length: 488\r\n\r\n`;
  const failuresIn = async (shim: Awaited<ReturnType<typeof startShim>>) => ({
    alerts: shim.logs().filter((line) => (line.level as number) >= 50),
    requests: shim.logs().filter((line) => line.msg === "request"),
    metrics: await (await request(`${shim.url}/metrics`)).body.text(),
  });

  it("a client that hangs up mid-body is recorded as 499 at info, never as a 500 or an alert", async () => {
    const shim = await startShim();
    try {
      await new Promise<void>((resolve) => {
        const socket = connect(Number(new URL(shim.url).port), "127.0.0.1", () => socket.write(`${head}{"validity":`));
        socket.on("error", () => undefined);
        setTimeout(() => {
          socket.destroy();
          resolve();
        }, 200);
      });
      for (let i = 0; i < 50 && !shim.logs().some((line) => line.msg === "request"); i++) await new Promise((r) => setTimeout(r, 20));
      const { alerts, requests, metrics } = await failuresIn(shim);
      expect(alerts).toEqual([]);
      expect(requests).toMatchObject([{ level: 30, path: "/order/code", status: 499 }]);
      expect(metrics).not.toMatch(/shim_requests_total\{[^}]*status="500"/);
      expect(shim.sandbox!.orders()).toEqual([]);
    } finally {
      await shim.close();
    }
  });

  it("a body cut off by SHIM_REQUEST_TIMEOUT_MS is recorded as the 408 it got, never as a 500 or an alert", async () => {
    const shim = await startShim({ SHIM_HEADERS_TIMEOUT_MS: "300", SHIM_REQUEST_TIMEOUT_MS: "600" });
    try {
      const answer = await slowClient(Number(new URL(shim.url).port), [head, ...seed.body.split("\n").map((line) => `${line}\n`)], 150);
      expect(answer).toMatch(/^HTTP\/1\.1 408/);
      for (let i = 0; i < 50 && !shim.logs().some((line) => line.msg === "request"); i++) await new Promise((r) => setTimeout(r, 20));
      const { alerts, requests, metrics } = await failuresIn(shim);
      expect(alerts).toEqual([]);
      expect(requests).toMatchObject([{ level: 30, path: "/order/code", status: 408 }]);
      expect(metrics).not.toMatch(/shim_requests_total\{[^}]*status="500"/);
    } finally {
      await shim.close();
    }
  });
});

describe("pacing toward v2", () => {
  it("answers 503 rate_limited with Retry-After rather than break the key's v2 limit", async () => {
    const fake = await startFakeV2();
    const shim = await startShim({ DIGICERT_API_URL: fake.url, SHIM_V2_RATE_LIMITS: "3/10s", SHIM_PACE_MAX_WAIT_MS: "0" });
    try {
      const answers = await Promise.all(Array.from({ length: 5 }, () => sendHttpMessage(shim.url, seed)));
      expect(answers.map((a) => a.status).sort()).toEqual([201, 201, 201, 503, 503]);
      const limited = answers.filter((a) => a.status === 503);
      for (const answer of limited) {
        expect(JSON.parse(answer.text).errors[0].code).toBe("rate_limited");
        expect(Number(answer.headers["retry-after"])).toBeGreaterThanOrEqual(9);
      }
      expect(fake.requests.filter((r) => r.method === "POST")).toHaveLength(3);
    } finally {
      await shim.close();
      await fake.close();
    }
  });

  it("waits briefly for a slot when one frees within SHIM_PACE_MAX_WAIT_MS, and never sends more than the limit in a window", async () => {
    const fake = await startFakeV2();
    const shim = await startShim({ DIGICERT_API_URL: fake.url, SHIM_V2_RATE_LIMITS: "2/300ms", SHIM_PACE_MAX_WAIT_MS: "2000" });
    const arrivals: number[] = [];
    const started = performance.now();
    try {
      const answers = await Promise.all(
        Array.from({ length: 6 }, async () => {
          const answer = await sendHttpMessage(shim.url, seed);
          arrivals.push(performance.now() - started);
          return answer;
        }),
      );
      expect(answers.every((a) => a.status === 201)).toBe(true);
      expect(fake.sandbox.orders()).toHaveLength(6);
      arrivals.sort((a, b) => a - b);
      // Six calls at two per 300 ms: the last cannot be answered before 600 ms.
      expect(arrivals[5]).toBeGreaterThanOrEqual(590);
    } finally {
      await shim.close();
      await fake.close();
    }
  });
});

describe("a 429 from v2 that says not how long to wait", () => {
  it("holds the key back for the rest of its shortest window: v2 sees nothing more for that key, other keys go on", async () => {
    const fake = await startFakeV2();
    const shim = await startShim({ DIGICERT_API_URL: fake.url, SHIM_V2_RATE_LIMITS: "100/5s,1000/3m", SHIM_RETRY_BASE_MS: "1" });
    try {
      expect((await sendHttpMessage(shim.url, seed)).status).toBe(201);
      fake.script({
        status: 429,
        body: { errors: [{ code: "request_limit_exceeded", message: "Service unavailable, please limit request volume" }] },
      });
      const limited = await sendHttpMessage(shim.url, seed);
      const seen = fake.requests.length;
      const burst = await Promise.all(Array.from({ length: 10 }, () => sendHttpMessage(shim.url, seed)));
      for (const answer of [limited, ...burst]) {
        expect(answer.status).toBe(503);
        expect(JSON.parse(answer.text).errors[0].code).toBe("rate_limited");
        expect(Number(answer.headers["retry-after"])).toBeGreaterThanOrEqual(3);
      }
      // The 429'd order was not even looked up again: the look-up would have met the same limit.
      expect(fake.requests.map((r) => r.method)).toEqual(["POST", "POST"]);
      expect(fake.requests).toHaveLength(seen);
      const otherKey = {
        ...seed,
        headers: seed.headers.map(([n, v]): [string, string] => [n, n === "Authorization" ? basicAuth("002008", "goldfinger") : v]),
      };
      expect((await sendHttpMessage(shim.url, otherKey)).status).toBe(201);
    } finally {
      await shim.close();
      await fake.close();
    }
  });
});

describe("health and draining", () => {
  it("writes the reconcile line of every order still in flight when the drain must end first", async () => {
    const fake = await startFakeV2();
    fake.script({ hang: true });
    const lines: string[] = [];
    const running = await startServer(
      loadConfig({ DIGICERT_API_URL: fake.url, PORT: "0", HOST: "127.0.0.1" }),
      createLogger("info", { write: (line: string) => void lines.push(line) }),
    );
    try {
      const answer = sendHttpMessage(`http://127.0.0.1:${running.port}`, seed).catch(() => undefined);
      while (fake.requests.length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
      expect(await running.drain(100)).toBe(false);
      const sent = JSON.parse(fake.requests[0]!.body) as { alternative_order_id: string };
      const reconcile = lines.map((line) => JSON.parse(line)).filter((line) => /in flight: .*reconcile/.test(line.msg));
      expect(reconcile).toMatchObject([{ level: 50, account_id: "001007", alternative_order_id: sent.alternative_order_id }]);
      await answer;
    } finally {
      await fake.close();
    }
  });

  it("says alive and ready, then turns new requests away while it drains", async () => {
    const lifecycle = new Lifecycle();
    const { app, sandbox } = await inProcessApp({ lifecycle });
    expect(await (await app.request("/healthz")).json()).toEqual({ status: "alive" });
    expect((await app.request("/readyz")).status).toBe(200);
    expect((await app.request("/healthz", { headers: { Accept: "text/html" } })).status).toBe(200);

    lifecycle.startDraining();
    expect((await app.request("/healthz")).status).toBe(200);
    const ready = await app.request("/readyz");
    expect(ready.status).toBe(503);
    expect(await ready.json()).toEqual({ status: "draining" });
    const order = await app.request("/order/code", { method: "POST", headers: seedHeaders, body: seed.body });
    expect(order.status).toBe(503);
    expect(order.headers.get("connection")).toBe("close");
    expect(await order.json()).toEqual({
      errors: [{ code: "shutting_down", description: "This instance is shutting down; send the request again." }],
    });
    expect(sandbox.orders()).toEqual([]);
  });
});
