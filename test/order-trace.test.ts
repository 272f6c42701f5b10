import { once } from "node:events";
import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { eventually } from "./support/eventually.js";
import { startFakeV2 } from "./support/fake-v2.js";
import { hold } from "./support/hold.js";
import { orderRequest, sendHttpMessage, sendInProcess } from "./support/http-files.js";
import { spawnShim } from "./support/process.js";
import { inProcessShim } from "./support/shim.js";

// Every order in flight leaves a trace before it is sent: a line with the request
// id, the account and the alternative_order_id, out of the process before the
// first call to v2, so that a kill -9, a crash or an OOM kill loses no order.

const spawn = spawnShim;
const alternativeOrderIdOf = (body: string) => JSON.parse(body).alternative_order_id as string;

describe("the trace of an order in flight", () => {
  // A built process, killed -9: only what it wrote out before the kill survives, which no shim in process can show.
  it("kill -9 with orders in flight at v2 (node dist/shim.mjs): every order v2 received is in the log", async () => {
    const IN_FLIGHT = 50;
    const fake = await startFakeV2();
    fake.script(...Array.from({ length: IN_FLIGHT }, () => ({ hang: true })));
    const shim = spawn({ DIGICERT_API_URL: fake.url });
    const url = `http://127.0.0.1:${await shim.listening}`;
    const answers = Array.from({ length: IN_FLIGHT }, () => sendHttpMessage(url, orderRequest()).catch(() => undefined));
    await eventually(`the ${IN_FLIGHT} orders at v2`, () => fake.requests.length === IN_FLIGHT);

    const closed = once(shim.child, "close");
    shim.child.kill("SIGKILL");
    await closed;
    await Promise.all(answers);

    const placing = shim
      .stdout()
      .split("\n")
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((line) => line.msg === "placing order");
    const received = fake.requests.filter((r) => r.method === "POST").map((r) => alternativeOrderIdOf(r.body));
    expect(received).toHaveLength(IN_FLIGHT);
    for (const alternativeOrderId of received) {
      expect(placing).toContainEqual(
        expect.objectContaining({
          level: 30,
          req_id: expect.any(String),
          account_id: "001007",
          alternative_order_id: alternativeOrderId,
        }),
      );
    }
  });

  it("nothing is sent to v2 until the line is written out", async () => {
    const { released: heldUntil, release } = hold();
    const fake = await startFakeV2();
    const shim = await inProcessShim({ DIGICERT_API_URL: fake.url }, {}, { heldUntil });
    const answer = sendInProcess(shim, orderRequest());
    await eventually(
      "the line logged, or the order at v2",
      () => shim.logs().some((line) => line.msg === "placing order") || fake.requests.length > 0,
    );
    // However long the log takes, the order waits for it: this window passing without the order is the point.
    // (Without the wait, the order would reach v2 in a few milliseconds; a busy machine can only hide a failure, never make one.)
    await sleep(200);
    expect(fake.requests).toEqual([]);

    release();
    expect((await answer).status).toBe(201);
    const [sent] = fake.requests;
    expect(shim.logs().find((line) => line.msg === "placing order")).toMatchObject({
      alternative_order_id: alternativeOrderIdOf(sent!.body),
      account_id: "001007",
    });
  });
});
