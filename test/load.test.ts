import { Agent } from "undici";
import { describe, expect, it, onTestFinished } from "vitest";
import { type ScriptedAnswer, startFakeV2 } from "./support/fake-v2.js";
import { orderRequest } from "./support/http-files.js";
import { startShim } from "./support/shim.js";

// A bounded load on loopback: hundreds of orders at once, a tenth of them meeting
// a fault on the way to v2. Whatever the interleaving, each 201 is exactly one
// v2 order. Hundreds of client connections at once are the point, so it listens.
// (How fast is for the benchmark, not for this test.)

const ORDERS = 400;
const FAULTS: ScriptedAnswer[] = [
  { drop: true },
  { create: true, drop: true },
  { status: 502 },
  { create: true, status: 500 },
  { status: 429 },
];

describe("a bounded load", () => {
  it(`${ORDERS} concurrent orders: each 201 is exactly one v2 order`, async () => {
    const fake = await startFakeV2();
    fake.script(...Array.from({ length: ORDERS / 10 }, (_, i) => FAULTS[i % FAULTS.length]!));
    const shim = await startShim({ DIGICERT_API_URL: fake.url, SHIM_V2_RATE_LIMITS: "off", SHIM_RETRY_BASE_MS: "5" });
    const client = new Agent({ connections: ORDERS });
    onTestFinished(() => client.close());
    const seed = orderRequest();
    const answers = await Promise.all(
      Array.from({ length: ORDERS }, async () => {
        const response = await client.request({
          origin: shim.url,
          path: "/order/code",
          method: "POST",
          headers: seed.headers.flat(),
          body: seed.body,
        });
        return { status: response.statusCode, text: await response.body.text() };
      }),
    );
    const orderIds = answers.filter((a) => a.status === 201).map((a) => JSON.parse(a.text).order_id as number);
    // A client that meets faults on every attempt gets a 503, and has no order.
    for (const refused of answers.filter((a) => a.status !== 201)) {
      expect(refused.status).toBe(503);
      expect(JSON.parse(refused.text).errors[0].code).toMatch(/^upstream_/);
    }
    expect(orderIds.length).toBeGreaterThan(ORDERS * 0.95);
    expect(new Set(orderIds).size).toBe(orderIds.length);
    expect(
      fake.sandbox
        .orders()
        .map((o) => o.id)
        .sort(),
    ).toEqual([...orderIds].sort());
    expect(new Set(fake.sandbox.orders().map((o) => o.body.alternative_order_id)).size).toBe(orderIds.length);
  });
});
