import { request } from "undici";
import { describe, expect, it } from "vitest";
import { type FakeV2, type ScriptedAnswer, startFakeV2 } from "./support/fake-v2.js";
import { orderRequest, sendHttpMessage } from "./support/http-files.js";
import { startShim } from "./support/shim.js";

// Fault injection against a recording fake v2: whatever goes wrong, every 201 a
// client sees is exactly one v2 order, no order v2 made goes unanswered, and
// every client is answered within the deadline.

const CLIENTS = 12;
const DEADLINE_MS = 2_000;
const SETTINGS = {
  SHIM_UPSTREAM_TIMEOUT_MS: "300",
  SHIM_DEADLINE_MS: String(DEADLINE_MS),
  SHIM_RETRY_BASE_MS: "20",
  SHIM_RETRY_AFTER_CAP_MS: "200",
  // A 429 without Retry-After holds the key back for its shortest window: short here, so the orders it holds can wait it out.
  SHIM_V2_RATE_LIMITS: "100/300ms",
};

interface Outcome {
  status: number;
  orderId?: number;
  elapsedMs: number;
}

async function orderConcurrently(
  faults: ScriptedAnswer[],
  settings: Record<string, string> = {},
): Promise<{ outcomes: Outcome[]; fake: FakeV2; logs: Record<string, unknown>[] }> {
  const fake = await startFakeV2();
  fake.script(...faults);
  const shim = await startShim({ DIGICERT_API_URL: fake.url, ...SETTINGS, ...settings });
  try {
    const outcomes = await Promise.all(
      Array.from({ length: CLIENTS }, async (): Promise<Outcome> => {
        const started = performance.now();
        const answer = await sendHttpMessage(shim.url, orderRequest());
        const elapsedMs = performance.now() - started;
        return answer.status === 201
          ? { status: 201, orderId: JSON.parse(answer.text).order_id, elapsedMs }
          : { status: answer.status, elapsedMs };
      }),
    );
    return { outcomes, fake, logs: shim.logs() };
  } finally {
    await shim.close();
    await fake.close();
  }
}

function expectOneOrderPer201({ outcomes, fake }: { outcomes: Outcome[]; fake: FakeV2 }) {
  const answered = outcomes.filter((o) => o.status === 201).map((o) => o.orderId);
  const made = fake.sandbox.orders().map((o) => o.id);
  expect([...answered].sort()).toEqual([...made].sort());
  expect(new Set(made.map((id) => fake.sandbox.orders().find((o) => o.id === id)!.body.alternative_order_id)).size).toBe(made.length);
  for (const outcome of outcomes) expect(outcome.elapsedMs).toBeLessThan(DEADLINE_MS + 250);
}

const times = (n: number, answer: ScriptedAnswer) => Array.from({ length: n }, () => answer);

describe("faults between the shim and v2", () => {
  it("a connection dropped before v2 made the order: sent again, ordered once", async () => {
    const run = await orderConcurrently(times(CLIENTS, { drop: true }));
    expectOneOrderPer201(run);
    expect(run.outcomes.every((o) => o.status === 201)).toBe(true);
  });

  it("an answer lost after v2 made the order: found by look-up, not ordered again", async () => {
    const run = await orderConcurrently(times(CLIENTS, { create: true, drop: true }));
    expectOneOrderPer201(run);
    expect(run.outcomes.every((o) => o.status === 201)).toBe(true);
    expect(run.fake.requests.filter((r) => r.method === "POST")).toHaveLength(CLIENTS);
    expect(run.logs.filter((l) => l.recovered_by_lookup === true)).toHaveLength(CLIENTS);
  });

  it("a hung v2, before and after making the order: every client answered by the deadline", async () => {
    const run = await orderConcurrently([...times(CLIENTS / 2, { hang: true }), ...times(CLIENTS / 2, { create: true, hang: true })]);
    expectOneOrderPer201(run);
    expect(run.outcomes.every((o) => o.status === 201)).toBe(true);
  });

  it("a v2 that hangs on everything: 503 by the deadline, nothing ordered, nothing to reconcile", async () => {
    const run = await orderConcurrently([
      ...times(CLIENTS * 3, { hang: true }),
      ...times(CLIENTS * 3, { for: "lookup", status: 404, body: { errors: [{ code: "not_found" }] } }),
    ]);
    expectOneOrderPer201(run);
    expect(run.outcomes.every((o) => o.status === 503)).toBe(true);
    expect(run.logs.filter((l) => l.level === 50)).toEqual([]);
  });

  it("a burst of 5xx, some after the order was made", async () => {
    const run = await orderConcurrently([
      ...times(CLIENTS, { status: 503, text: "busy" }),
      ...times(CLIENTS / 2, { create: true, status: 500, text: "oops" }),
    ]);
    expectOneOrderPer201(run);
    expect(run.outcomes.every((o) => o.status === 201)).toBe(true);
  });

  it("a burst of 429 with Retry-After", async () => {
    const run = await orderConcurrently(
      times(CLIENTS * 2, { status: 429, headers: { "Retry-After": "1" }, body: { errors: [{ code: "request_limit_exceeded" }] } }),
    );
    expectOneOrderPer201(run);
    expect(run.outcomes.filter((o) => o.status === 201).length).toBeGreaterThan(0);
  });

  it("a burst of 429 without Retry-After, longer than the attempts: 503 with Retry-After, nothing ordered", async () => {
    const run = await orderConcurrently(times(CLIENTS * 3, { status: 429, body: { errors: [{ code: "request_limit_exceeded" }] } }));
    expectOneOrderPer201(run);
    expect(run.outcomes.every((o) => o.status === 503)).toBe(true);
  });

  it("faults of every kind at once", async () => {
    const kinds: ScriptedAnswer[] = [
      { drop: true },
      { create: true, drop: true },
      { hang: true },
      { create: true, hang: true },
      { status: 502 },
      { create: true, status: 504 },
      { status: 429 },
    ];
    const run = await orderConcurrently(Array.from({ length: CLIENTS * 2 }, (_, i) => kinds[i % kinds.length]!));
    expectOneOrderPer201(run);
  });
});

describe("a client that leaves before its answer", () => {
  it("does not cancel its order; the order is logged for reconciliation", async () => {
    const fake = await startFakeV2();
    fake.script({ delayMs: 400 });
    const shim = await startShim({ DIGICERT_API_URL: fake.url });
    try {
      const seed = orderRequest();
      const impatient = request(`${shim.url}/order/code`, {
        method: "POST",
        headers: seed.headers.flat(),
        body: seed.body,
        signal: AbortSignal.timeout(100),
      });
      await expect(impatient).rejects.toThrow();
      await new Promise((resolve) => setTimeout(resolve, 600));
      const [order] = fake.sandbox.orders();
      expect(order).toBeDefined();
      expect(shim.logs()).toContainEqual(
        expect.objectContaining({
          level: 50,
          msg: "the client left before its answer; the v2 order was placed: reconcile",
          v2_order_id: order!.id,
          alternative_order_id: order!.body.alternative_order_id,
          account_id: "001007",
        }),
      );
    } finally {
      await shim.close();
      await fake.close();
    }
  });
});
