import { describe, expect, it, vi } from "vitest";
import { seedV2Request } from "../../test/support/seed-order.js";
import { MemoryStore } from "../state/memory.js";
import { V2Client } from "../v2/client.js";
import { Pacer } from "../v2/pacer.js";
import type { Clock, RetryPolicy } from "../v2/retry-timing.js";
import type { V2HttpRequest, V2HttpResponse } from "../v2/transport.js";
import { type OrderToPlace, placeOrder } from "./placement.js";

// One scripted v2: each call takes the next step; a step answers, or throws an
// error with a code as undici does when there is no answer.
type Step = { status: number; body?: unknown; text?: string; headers?: Record<string, string> } | { fail: string };

function scripted(...steps: Step[]) {
  const calls: V2HttpRequest[] = [];
  const transport = async (request: V2HttpRequest): Promise<V2HttpResponse> => {
    calls.push(request);
    const step = steps.shift();
    if (!step) throw new Error("unscripted call");
    if ("fail" in step) throw Object.assign(new Error("no answer"), { code: step.fail });
    const text = step.text ?? (step.body === undefined ? "" : JSON.stringify(step.body));
    return { status: step.status, headers: step.headers ?? {}, text };
  };
  return { calls, client: new V2Client(transport, new Pacer([])) };
}

/** Time that moves only when the placement sleeps, so waits can be asserted exactly. */
function fakeClock(): Clock & { slept: number[] } {
  let now = 0;
  const slept: number[] = [];
  return {
    slept,
    now: () => now,
    sleep: async (ms) => {
      slept.push(ms);
      now += ms;
    },
  };
}

const policy: RetryPolicy = {
  attempts: 3,
  timeoutMs: 1_000,
  deadlineMs: 60_000,
  retryBaseMs: 100,
  retryAfterCapMs: 10_000,
  paceMaxWaitMs: 0,
};
const order: OrderToPlace = { ...seedV2Request("v1shimabc"), apiKey: "k" };
const created = (id: number) => ({ status: 201, body: { id, requests: [{ id: 1, status: "pending" }] } });
const listed = (...ids: number[]) => ({
  status: 200,
  body: { orders: ids.map((order_id) => ({ order_id, status: "pending" })), page: {} },
});
const absent = { status: 404, body: { errors: [{ code: "not_found", message: "none" }] } };
/** How real v2 lists no orders: its page alone. */
const listsNone = { status: 200, body: { page: { total: 0, limit: 1000, offset: 0 } } };
const proxyNotFound = { status: 404, headers: { "content-type": "text/html" }, text: "<html><center>nginx</center></html>" };
const duplicate = { status: 400, body: { errors: [{ code: "duplicate_alternative_order_id" }] } };
const paths = (calls: V2HttpRequest[]) => calls.map((c) => `${c.method} ${c.path}`);

describe("placeOrder", () => {
  it("sends once when v2 answers", async () => {
    const { calls, client } = scripted(created(7));
    const report = await placeOrder(client, order, policy, fakeClock());
    expect(report).toMatchObject({ placement: { kind: "created", orderId: 7 }, sends: 1, lookups: 0 });
    expect(paths(calls)).toEqual(["POST /order/certificate/code_signing_ev"]);
  });

  it("asks v2 for the order after a lost answer and does not send again when it exists", async () => {
    const { calls, client } = scripted({ fail: "ECONNRESET" }, listed(9));
    const report = await placeOrder(client, order, policy, fakeClock());
    expect(report).toEqual({ placement: { kind: "found", orderId: 9, alsoCarryingTheId: [] }, sends: 1, lookups: 1 });
    expect(paths(calls)).toEqual(["POST /order/certificate/code_signing_ev", "GET /order/alternate/v1shimabc"]);
  });

  it("asks v2 before any send when an earlier placement may have made the order", async () => {
    const found = scripted(listed(9));
    expect((await placeOrder(found.client, { ...order, lookupFirst: "taking over" }, policy, fakeClock())).placement).toMatchObject({
      kind: "found",
      orderId: 9,
    });
    expect(paths(found.calls)).toEqual(["GET /order/alternate/v1shimabc"]);

    const none = scripted(listsNone, created(7));
    const report = await placeOrder(none.client, { ...order, lookupFirst: "taking over" }, policy, fakeClock());
    expect(report).toMatchObject({ placement: { kind: "created", orderId: 7 }, sends: 1, lookups: 1 });
    expect(paths(none.calls)).toEqual(["GET /order/alternate/v1shimabc", "POST /order/certificate/code_signing_ev"]);
  });

  it("passes on v2's refusal of the key, asked first only in case, but never when taking over a placement that may have made the order", async () => {
    const refusal = { status: 403, body: { errors: [{ code: "access_denied|access_denied_invalid_key", message: "no" }] } };
    const inCase = scripted(refusal);
    expect((await placeOrder(inCase.client, { ...order, lookupFirst: "in case" }, policy, fakeClock())).placement).toMatchObject({
      kind: "refused",
      reply: { status: 403 },
    });
    expect(paths(inCase.calls)).toEqual(["GET /order/alternate/v1shimabc"]);

    const takingOver = scripted(refusal, refusal, refusal);
    expect((await placeOrder(takingOver.client, { ...order, lookupFirst: "taking over" }, policy, fakeClock())).placement).toMatchObject({
      kind: "gave_up",
      uncertain: true,
    });
    expect(paths(takingOver.calls).every((p) => p.startsWith("GET /order/alternate/"))).toBe(true);
  });

  it("reports every order that carries the id, answering with the first", async () => {
    const { client } = scripted({ status: 502 }, listed(12, 10));
    expect((await placeOrder(client, order, policy, fakeClock())).placement).toEqual({
      kind: "found",
      orderId: 10,
      alsoCarryingTheId: [12],
    });
  });

  it("never sends again while a look-up cannot say whether the order exists", async () => {
    const { calls, client } = scripted({ fail: "UND_ERR_HEADERS_TIMEOUT" }, { status: 500 }, { fail: "ECONNRESET" }, { status: 503 });
    const report = await placeOrder(client, order, policy, fakeClock());
    expect(report).toMatchObject({ placement: { kind: "gave_up", uncertain: true }, sends: 1, lookups: 3 });
    expect(calls.filter((c) => c.method === "POST")).toHaveLength(1);
  });

  it("sends again after a refused connection even when the look-up is refused too: nothing reached v2", async () => {
    const { client } = scripted(
      { fail: "ECONNREFUSED" },
      { fail: "ECONNREFUSED" },
      { fail: "ECONNREFUSED" },
      { fail: "ECONNREFUSED" },
      { fail: "ECONNREFUSED" },
    );
    const report = await placeOrder(client, order, policy, fakeClock());
    expect(report).toMatchObject({ placement: { kind: "gave_up", uncertain: false }, sends: 3, lookups: 2 });
  });

  it("does not take a request that could not be built for an order v2 may hold", async () => {
    const { calls, client } = scripted({ fail: "UND_ERR_INVALID_ARG" }, absent, { fail: "UND_ERR_INVALID_ARG" }, absent, {
      fail: "UND_ERR_INVALID_ARG",
    });
    const report = await placeOrder(client, order, policy, fakeClock());
    expect(report).toMatchObject({ placement: { kind: "gave_up", uncertain: false }, sends: 3, lookups: 2 });
    expect(calls).toHaveLength(5);
  });

  it("looks the order up before passing on a refusal of a re-send", async () => {
    // v2 may make the first order after a look-up said there was none, then refuse the
    // re-send for carrying an alternative_order_id it already holds.
    const raced = scripted({ status: 500 }, absent, { status: 400, body: { errors: [{ code: "duplicate" }] } }, listed(6));
    expect((await placeOrder(raced.client, order, policy, fakeClock())).placement).toEqual({
      kind: "found",
      orderId: 6,
      alsoCarryingTheId: [],
    });

    const refused = scripted({ status: 500 }, absent, { status: 400, body: { errors: [{ code: "invalid" }] } }, absent);
    const report = await placeOrder(refused.client, order, policy, fakeClock());
    expect(report).toMatchObject({ placement: { kind: "refused", reply: { status: 400 } }, sends: 2, lookups: 2 });
  });

  it("never passes on a refusal of a re-send while no look-up can confirm that v2 holds no order", async () => {
    // The look-up said none, the re-send is refused, and the confirming look-ups fail: the
    // refusal may be v2 refusing an id it holds, so the outcome is unknown, not a refusal.
    const { calls, client } = scripted({ fail: "ECONNRESET" }, absent, duplicate, { status: 500 }, { fail: "ECONNRESET" });
    const report = await placeOrder(client, order, policy, fakeClock());
    expect(report).toEqual({
      placement: { kind: "gave_up", uncertain: true, last: { kind: "no_answer", reason: "ECONNRESET" } },
      sends: 2,
      lookups: 3,
    });
    expect(calls.filter((c) => c.method === "POST")).toHaveLength(2);

    // A later look-up that finds the order answers with it.
    const foundLater = scripted(
      { status: 502 },
      absent,
      { status: 403, body: { errors: [{ code: "access_denied" }] } },
      { status: 500 },
      listed(8),
    );
    expect((await placeOrder(foundLater.client, order, policy, fakeClock())).placement).toEqual({
      kind: "found",
      orderId: 8,
      alsoCarryingTheId: [],
    });
  });

  it("sends again once after a lost answer when v2 lists none as its page alone", async () => {
    const { calls, client } = scripted({ fail: "ECONNRESET" }, listsNone, created(4));
    expect(await placeOrder(client, order, policy, fakeClock())).toMatchObject({
      placement: { kind: "created", orderId: 4 },
      sends: 2,
      lookups: 1,
    });
    expect(paths(calls)).toEqual([
      "POST /order/certificate/code_signing_ev",
      "GET /order/alternate/v1shimabc",
      "POST /order/certificate/code_signing_ev",
    ]);
  });

  it("never sends again on a 404 that is not v2's: a proxy's page says nothing about the order", async () => {
    const { calls, client } = scripted({ status: 502 }, proxyNotFound, proxyNotFound, proxyNotFound);
    const report = await placeOrder(client, order, policy, fakeClock());
    expect(report).toMatchObject({ placement: { kind: "gave_up", uncertain: true }, sends: 1, lookups: 3 });
    expect(calls.filter((c) => c.method === "POST")).toHaveLength(1);
  });

  it("passes a first refusal on without a look-up", async () => {
    const { calls, client } = scripted({ status: 400, body: { errors: [{ code: "invalid" }] } });
    expect((await placeOrder(client, order, policy, fakeClock())).placement).toMatchObject({ kind: "refused", reply: { status: 400 } });
    expect(calls).toHaveLength(1);
  });

  it("waits what a 429's Retry-After says, up to the cap, and backs off otherwise", async () => {
    const honoured = fakeClock();
    await placeOrder(scripted({ status: 429, headers: { "retry-after": "2" } }, absent, created(1)).client, order, policy, honoured);
    expect(honoured.slept[0]).toBe(2_000);

    const capped = fakeClock();
    await placeOrder(scripted({ status: 429, headers: { "retry-after": "600" } }, absent, created(1)).client, order, policy, capped);
    expect(capped.slept[0]).toBe(10_000);

    const backedOff = fakeClock();
    await placeOrder(scripted({ status: 429 }, absent, created(1)).client, order, policy, backedOff);
    expect(backedOff.slept[0]).toBeGreaterThanOrEqual(50);
    expect(backedOff.slept[0]).toBeLessThanOrEqual(100);
  });

  it("stops at the deadline rather than wait past it", async () => {
    const clock = fakeClock();
    const { calls, client } = scripted({ status: 429, headers: { "retry-after": "30" } });
    const report = await placeOrder(client, order, { ...policy, deadlineMs: 5_000, retryAfterCapMs: 60_000 }, clock);
    expect(report.placement).toMatchObject({ kind: "gave_up", last: { kind: "answer", status: 429 } });
    expect(clock.slept).toEqual([]);
    expect(calls).toHaveLength(1);
  });

  it("gives each call no more time than the deadline leaves", async () => {
    const { client } = scripted({ fail: "ECONNRESET" }, absent, created(3));
    const createOrder = vi.spyOn(client, "createOrder");
    const lookup = vi.spyOn(client, "findOrdersByAlternativeId");
    const clock = fakeClock();
    await placeOrder(client, order, { ...policy, timeoutMs: 30_000, deadlineMs: 2_000, paceMaxWaitMs: 5_000 }, clock);
    const [first, second] = createOrder.mock.calls.map((call) => call[3]);
    expect(first).toEqual({ timeoutMs: 1_975, maxPaceWaitMs: 1_975 });
    expect(lookup.mock.calls[0]![2]).toEqual({ timeoutMs: 1_975, maxPaceWaitMs: 1_975 });
    expect(second!.timeoutMs).toBe(1_975 - clock.slept[0]!);
  });

  it("gives up without calling v2 when the pacer holds the order back", async () => {
    const calls: V2HttpRequest[] = [];
    const transport = async (request: V2HttpRequest): Promise<V2HttpResponse> => {
      calls.push(request);
      return { status: 201, headers: {}, text: JSON.stringify(created(1).body) };
    };
    const client = new V2Client(transport, new Pacer([{ limit: 1, windowMs: 60_000 }], new MemoryStore()));
    expect((await placeOrder(client, order, policy, fakeClock())).placement).toMatchObject({ kind: "created", orderId: 1 });
    const report = await placeOrder(client, order, policy, fakeClock());
    expect(report).toMatchObject({ placement: { kind: "gave_up", uncertain: false, last: { kind: "paced" } }, sends: 1, lookups: 0 });
    expect(calls).toHaveLength(1);
  });
});
