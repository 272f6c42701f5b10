import { describe, expect, it } from "vitest";
import { eventually } from "./support/eventually.js";
import { startFakeV2 } from "./support/fake-v2.js";
import { hold } from "./support/hold.js";
import { orderRequest, sendInProcess } from "./support/http-files.js";
import { type InProcessShim, inProcessShim } from "./support/shim.js";

// The order ledger through the shim's own endpoint: the record is there before
// the order reaches v2, and GET /_shim/orders pages and filters it.

const TOKEN = "an-admin-token-for-these-tests";

async function list(shim: InProcessShim, query = "", token = TOKEN) {
  const headers: [string, string][] = token ? [["Authorization", `Bearer ${token}`]] : [];
  const answer = await shim.adminRequest(`/_shim/orders${query}`, { headers });
  const text = await answer.text();
  return { status: answer.status, body: answer.status === 401 ? text : JSON.parse(text) };
}

describe("the order ledger", () => {
  it("holds a placing record before the order reaches v2, and its outcome after", async () => {
    const fake = await startFakeV2();
    // v2 holds the order until the test has read the ledger.
    const { released, release } = hold();
    fake.script({ until: released });
    const shim = await inProcessShim({ DIGICERT_API_URL: fake.url, SHIM_ADMIN_TOKEN: TOKEN, SHIM_REPLICA_ID: "replica-a" });
    const answer = sendInProcess(shim, orderRequest());
    await eventually("the order at v2", () => fake.requests.length === 1);
    const { body: during } = await list(shim);
    release();
    expect(during.orders).toEqual([
      expect.objectContaining({ state: "placing", account_id: "001007", replica: "replica-a", owner: "replica-a", v2_order_id: null }),
    ]);
    expect(Date.parse(during.orders[0].lease_until)).toBeGreaterThan(Date.now());
    const sent = JSON.parse(fake.requests[0]!.body).alternative_order_id;
    expect(during.orders[0].alternative_order_id).toBe(sent);

    const orderId = JSON.parse((await answer).text).order_id;
    const { body: after } = await list(shim);
    expect(after.orders).toEqual([
      expect.objectContaining({ alternative_order_id: sent, state: "created", v2_order_id: orderId, v2_status: 201, lease_until: null }),
    ]);
    expect(JSON.stringify(after)).not.toContain("skyfall");
  });

  it("lists newest first, a page at a time, filtered by state and account, behind the admin token", async () => {
    const fake = await startFakeV2();
    const shim = await inProcessShim({ DIGICERT_API_URL: fake.url, SHIM_ADMIN_TOKEN: TOKEN, SHIM_UPSTREAM_ATTEMPTS: "1" });
    for (let i = 0; i < 3; i++) expect((await sendInProcess(shim, orderRequest())).status).toBe(201);
    fake.script({ status: 400, body: { errors: [{ code: "invalid_contact", message: "no" }] } });
    expect((await sendInProcess(shim, orderRequest())).status).toBe(400);

    const first = await list(shim, "?limit=2");
    expect(first.body.orders.map((o: { state: string }) => o.state)).toEqual(["refused", "created"]);
    const rest = await list(shim, `?limit=2&cursor=${first.body.next_cursor}`);
    expect(rest.body.orders.map((o: { state: string }) => o.state)).toEqual(["created", "created"]);
    expect(rest.body.next_cursor).toBeNull();
    const made = fake.sandbox.orders().map((o) => o.body.alternative_order_id);
    expect(
      [...first.body.orders, ...rest.body.orders]
        .filter((o) => o.state === "created")
        .map((o) => o.alternative_order_id)
        .sort(),
    ).toEqual(made.sort());
    expect((await list(shim, "?state=refused")).body.orders).toHaveLength(1);
    expect((await list(shim, "?account_id=someone-else")).body.orders).toEqual([]);

    expect(await list(shim, "?state=lost")).toEqual({
      status: 400,
      body: {
        errors: [{ code: "invalid_param:state", description: expect.stringContaining("placing, created, refused, failed, unknown") }],
      },
    });
    expect((await list(shim, "?limit=0")).body.errors[0].code).toBe("invalid_param:limit");
    expect((await list(shim, "?cursor=nonsense")).body.errors[0].code).toBe("invalid_param:cursor");
    expect((await list(shim, "", "not-the-token")).status).toBe(401);
  });

  it("does not exist without SHIM_ADMIN_TOKEN", async () => {
    const shim = await inProcessShim();
    expect((await list(shim)).status).toBe(404);
  });
});
