import { once } from "node:events";
import { describe, expect, it } from "vitest";
import { startFakeV2 } from "./support/fake-v2.js";
import { orderRequest, sendHttpMessage } from "./support/http-files.js";
import { spawnShim } from "./support/process.js";
import { startShim } from "./support/shim.js";

// Every order in flight leaves a trace before it is sent: a line with the request
// id, the account and the alternative_order_id, out of the process before the
// first call to v2, so that a kill -9, a crash or an OOM kill loses no order.

const spawn = spawnShim;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const alternativeOrderIdOf = (body: string) => JSON.parse(body).alternative_order_id as string;

describe("the trace of an order in flight", () => {
  it("kill -9 with orders in flight at v2 (node dist/shim.mjs): every order v2 received is in the log", async () => {
    const IN_FLIGHT = 50;
    const fake = await startFakeV2();
    fake.script(...Array.from({ length: IN_FLIGHT }, () => ({ hang: true })));
    try {
      const shim = spawn({ DIGICERT_API_URL: fake.url });
      const url = `http://127.0.0.1:${await shim.listening}`;
      const answers = Array.from({ length: IN_FLIGHT }, () => sendHttpMessage(url, orderRequest()).catch(() => undefined));
      while (fake.requests.length < IN_FLIGHT) await sleep(10);

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
    } finally {
      await fake.close();
    }
  });

  it("nothing is sent to v2 until the line is written out", async () => {
    let release!: () => void;
    const heldUntil = new Promise<void>((resolve) => {
      release = resolve;
    });
    const fake = await startFakeV2();
    const shim = await startShim({ DIGICERT_API_URL: fake.url }, {}, { heldUntil });
    try {
      const answer = sendHttpMessage(shim.url, orderRequest());
      while (!shim.logs().some((line) => line.msg === "placing order") && fake.requests.length === 0) await sleep(5);
      // However long the log takes, the order waits for it. (Without the wait, the order
      // would reach v2 in a few milliseconds; this cannot fail the other way.)
      await sleep(200);
      expect(fake.requests).toEqual([]);

      release();
      expect((await answer).status).toBe(201);
      const [sent] = fake.requests;
      expect(shim.logs().find((line) => line.msg === "placing order")).toMatchObject({
        alternative_order_id: alternativeOrderIdOf(sent!.body),
        account_id: "001007",
      });
    } finally {
      await shim.close();
      await fake.close();
    }
  });
});
