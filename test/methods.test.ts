import { Agent, request } from "undici";
import { describe, expect, it, onTestFinished } from "vitest";
import { orderRequest, sendHttpMessage } from "./support/http-files.js";
import { startShim } from "./support/shim.js";

// A legacy custom method (REISSUE, APPROVE) is read by Node's parser before the app
// sees it, and a kept-alive connection must survive its refusal: a socket's.

describe("a legacy custom method sent directly", () => {
  it("gets its 405 on a kept-alive connection that has already carried answers", async () => {
    const shim = await startShim();
    const oneConnection = new Agent({ connections: 1 });
    onTestFinished(() => oneConnection.close());
    const ordered = await sendHttpMessage(shim.url, orderRequest());
    const first = await request(`${shim.url}/order/${JSON.parse(ordered.text).order_id}`, {
      dispatcher: oneConnection,
      headers: { Authorization: "Basic MDAxMDA3OnNreWZhbGw=" },
    });
    expect(first.statusCode).toBe(200);
    await first.body.dump();

    const reissue = await request(`${shim.url}/order/1`, { dispatcher: oneConnection, method: "REISSUE" });
    expect(reissue.statusCode).toBe(405);
    expect(reissue.headers.allow).toBe("GET, HEAD, OPTIONS");
    expect(JSON.parse(await reissue.body.text()).errors[0].code).toBe("method_not_allowed");
  });
});

describe("a legacy custom method sent directly to a legacy path the shim does not serve", () => {
  it("gets not_served with an X-Request-Id, and is logged and counted like every other answer", async () => {
    const shim = await startShim();
    const approve = await request(`${shim.url}/request/7902`, { method: "APPROVE", headers: { "User-Agent": "MyAPIConsumer/0.42" } });
    expect(approve.statusCode).toBe(404);
    expect(JSON.parse(await approve.body.text()).errors[0].code).toBe("not_served");
    const requestId = approve.headers["x-request-id"];
    expect(requestId).toMatch(/^[\w-]{8,}$/);

    expect(shim.logs()).toContainEqual(
      expect.objectContaining({ msg: "request", req_id: requestId, method: "APPROVE", path: "/request/7902", status: 404 }),
    );
    const metrics = await (await request(`${shim.url}/metrics`)).body.text();
    expect(metrics).toMatch(/shim_requests_total\{route="\/request\/\*",status="404",format="json"\} 1/);
  });
});
