import { describe, expect, it } from "vitest";
import type { V2Reply } from "../src/contract/v2-reply.js";
import { Lifecycle } from "../src/http/lifecycle.js";
import { createLogger } from "../src/observability/log.js";
import { V2Client } from "../src/v2/client.js";
import { Pacer } from "../src/v2/pacer.js";
import { createSandbox } from "../src/v2/sandbox.js";
import { inProcessTransport } from "../src/v2/transport.js";
import { inProcessApp } from "./support/app.js";
import { orderRequest } from "./support/http-files.js";

// POST /order/code is answered by one handler doing the app's middleware steps as
// plain calls (src/http/pipeline.ts, composed); POST /_shim/translate/order/code goes
// through the middleware. What the one does, the other must do too.

const seed = orderRequest();
const seedHeaders = (): Record<string, string> => Object.fromEntries(seed.headers);

async function loggedApp(lifecycle = new Lifecycle()) {
  const lines: string[] = [];
  const logger = createLogger("info", { write: (line: string) => void lines.push(line) });
  const { app, sandbox } = await inProcessApp({ logger, lifecycle });
  const requestLines = () => lines.map((line) => JSON.parse(line) as Record<string, unknown>).filter((line) => line.msg === "request");
  return { app, sandbox, lifecycle, requestLines };
}

describe("POST /order/code in one handler", () => {
  it("records each refusal under the route the middleware would: the app-wide steps' as /*, the route's own as the route", async () => {
    const { app, lifecycle, requestLines } = await loggedApp();
    const { Authorization: _, ...stranger } = seedHeaders();
    const cases: [string, Record<string, string>][] = [
      ["406", { ...seedHeaders(), Accept: "text/html" }],
      ["405 override", { ...seedHeaders(), "X-HTTP-Method-Override": "REISSUE" }],
      ["401", stranger],
      ["415", { ...seedHeaders(), "Content-Type": "text/plain" }],
      ["400", { ...seedHeaders(), "Content-Length": "2" }],
      ["503 draining", seedHeaders()],
    ];
    const recorded: Record<string, unknown[]> = {};
    for (const [name, headers] of cases) {
      if (name === "503 draining") lifecycle.startDraining();
      const body = headers["Content-Length"] === "2" ? "{}" : seed.body;
      const answers = [
        await app.request("/order/code", { method: "POST", headers, body }),
        await app.request("/_shim/translate/order/code", { method: "POST", headers, body }),
      ];
      const [order, translation] = requestLines().slice(-2);
      recorded[name] = [answers[0]!.status, order!.route, answers[1]!.status, translation!.route];
    }
    expect(recorded).toEqual({
      "406": [406, "/*", 406, "/*"],
      "405 override": [405, "/*", 405, "/*"],
      "401": [401, "/order/code", 401, "/_shim/translate/order/code"],
      "415": [415, "/order/code", 415, "/_shim/translate/order/code"],
      "400": [400, "/order/code", 400, "/_shim/translate/order/code"],
      "503 draining": [503, "/*", 503, "/*"],
    });
  });

  it("is in flight from its arrival to its answer, and no longer, whether it is ordered or refused", async () => {
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let atV2: () => void = () => undefined;
    const reachedV2 = new Promise<void>((resolve) => {
      atV2 = resolve;
    });
    class HeldClient extends V2Client {
      override async createOrder(...args: Parameters<V2Client["createOrder"]>): Promise<V2Reply> {
        atV2();
        await held;
        return super.createOrder(...args);
      }
    }
    const lifecycle = new Lifecycle();
    const { app } = await inProcessApp({ lifecycle, v2: new HeldClient(inProcessTransport(createSandbox().app), new Pacer([])) });

    const order = app.request("/order/code", { method: "POST", headers: seedHeaders(), body: seed.body });
    await reachedV2;
    expect(lifecycle.inFlight).toBe(1);
    expect(lifecycle.ordersInFlight()).toMatchObject([{ account_id: "001007", alternative_order_id: expect.any(String) }]);
    release();
    expect((await order).status).toBe(201);
    expect(lifecycle.inFlight).toBe(0);

    const { Authorization: _, ...stranger } = seedHeaders();
    for (const headers of [stranger, { ...seedHeaders(), "Content-Type": "text/plain" }, { ...seedHeaders(), Accept: "text/html" }]) {
      const refused = await app.request("/order/code", { method: "POST", headers, body: seed.body });
      expect(refused.status).toBeGreaterThanOrEqual(400);
      expect(lifecycle.inFlight).toBe(0);
    }
    expect(await lifecycle.whenIdle(0)).toBe(true);
  });
});
