import { describe, expect, it } from "vitest";
import { createSandbox } from "./sandbox.js";

const order = {
  certificate: { signature_hash: "sha256", server_platform: { id: 2 } },
  order_validity: { years: 1 },
  organization: {
    name: "My Company",
    address: "19 Windsor Court",
    city: "Tampa",
    state: "Florida",
    zip: "33615",
    country: "us",
    telephone: "555-555-1234",
    contacts: [
      {
        contact_type: "verified_contact",
        first_name: "Gary",
        last_name: "McCoy",
        job_title: "CTO",
        telephone: "555",
        email: "gm@example.com",
      },
    ],
  },
  skip_approval: true,
  alternative_order_id: "v1shim1",
};

const post = (sandbox: ReturnType<typeof createSandbox>, body: unknown, { product = "code_signing_ev", key = "k" } = {}) =>
  sandbox.app.request(`/order/certificate/${product}`, {
    method: "POST",
    headers: { "Content-Type": "application/json", ...(key && { "X-DC-DEVKEY": key }) },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });

describe("the sandbox", () => {
  it("answers a valid order as v2 does and keeps it", async () => {
    const sandbox = createSandbox({ firstOrderId: 1000, now: () => new Date("2026-03-04T17:19:12.345Z") });
    const response = await post(sandbox, order);
    expect(response.status).toBe(201);
    // Real v2's shape: a new order has no certificate yet, and says so with null.
    expect(await response.json()).toEqual({ id: 1000, certificate_id: null, requests: [{ id: 1, status: "pending" }] });
    expect(sandbox.orders()).toMatchObject([
      { id: 1000, product: "code_signing_ev", body: order, created: new Date("2026-03-04T17:19:12.345Z") },
    ]);
  });

  it("refuses a payload the v2 page would refuse, naming the v2 field", async () => {
    const sandbox = createSandbox();
    const tooLong = { ...order, organization: { ...order.organization, name: "x".repeat(65) } };
    const response = await post(sandbox, tooLong);
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ errors: [{ code: "invalid_param|organization.name" }] });

    const unverifiable = {
      ...order,
      organization: { ...order.organization, contacts: [{ ...order.organization.contacts[0], job_title: undefined }] },
    };
    expect(await (await post(sandbox, unverifiable)).json()).toMatchObject({
      errors: [{ code: "invalid_param|organization.contacts.0.job_title" }],
    });
    expect(sandbox.orders()).toEqual([]);
  });

  it("refuses order_validity.years above maxYears as v2 would, naming the v2 field, and takes up to it", async () => {
    const sandbox = createSandbox({ maxYears: 1 });
    const response = await post(sandbox, { ...order, order_validity: { years: 2 } });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      errors: [{ code: "invalid_value|order_validity.years", message: "order_validity.years may be at most 1 for this product." }],
    });
    expect(sandbox.orders()).toEqual([]);
    expect((await post(sandbox, order)).status).toBe(201);
    expect((await post(createSandbox(), { ...order, order_validity: { years: 3 } })).status).toBe(201);
  });

  it("answers v2's errors for a bad key, an unknown product, a body that is not JSON", async () => {
    const sandbox = createSandbox();
    // v2's own body for a bad key, word for word.
    const badKey = {
      errors: [{ code: "access_denied|access_denied_invalid_key", message: "Access denied due to access_denied_invalid_key." }],
    };
    for (const key of ["", "invalid", "Invalid-Key", "has space", "n\u00e9e"]) {
      const response = await post(sandbox, order, { key });
      expect(response.status, key).toBe(403);
      expect(await response.json(), key).toEqual(badKey);
    }
    const lookup = await sandbox.app.request("/order/alternate/v1shim1", { headers: { "X-DC-DEVKEY": "invalid" } });
    expect(await lookup.json()).toEqual(badKey);
    expect((await post(sandbox, order, { key: "skyfall" })).status).toBe(201);
    expect((await post(sandbox, order, { key: "key:with-colon" })).status).toBe(201);
    expect((await post(sandbox, order, { product: "ssl_plus" })).status).toBe(404);
    expect(await (await post(sandbox, "{")).json()).toMatchObject({ errors: [{ code: "bad_request_format" }] });
  });

  it("answers a look-up as real v2 does: none as its page alone, a pending order's certificate_id as null", async () => {
    let now = new Date("2026-03-04T17:19:12.000Z");
    const sandbox = createSandbox({ firstOrderId: 7, issueAfterMs: 60_000, now: () => now });
    const lookup = async (id: string) => (await sandbox.app.request(`/order/alternate/${id}`, { headers: { "X-DC-DEVKEY": "k" } })).json();

    expect(await lookup("v1shim1")).toEqual({ page: { total: 0, limit: 1000, offset: 0 } });
    await post(sandbox, order);
    expect(await lookup("v1shim1")).toEqual({
      orders: [{ order_id: 7, certificate_id: null, status: "pending" }],
      page: { total: 1, limit: 1000, offset: 0 },
    });
    now = new Date("2026-03-04T17:20:12.000Z");
    expect(await lookup("v1shim1")).toMatchObject({ orders: [{ order_id: 7, certificate_id: 7, status: "issued" }] });
    expect(await lookup("v1shim2")).toEqual({ page: { total: 0, limit: 1000, offset: 0 } });
  });

  it("shows an order as pending, then as issued with its validity once issueAfterMs has passed, to its own key only", async () => {
    let now = new Date("2026-03-04T17:19:12.000Z");
    const sandbox = createSandbox({ firstOrderId: 7, issueAfterMs: 60_000, now: () => now });
    await post(sandbox, order);
    const read = async (key = "k") => sandbox.app.request("/order/certificate/7", { headers: { "X-DC-DEVKEY": key } });

    expect(await (await read()).json()).toMatchObject({
      id: 7,
      status: "pending",
      date_created: "2026-03-04T17:19:12+00:00",
      product: { name_id: "code_signing_ev", name: "EV Code Signing" },
      certificate: { common_name: "My Company", server_platform: { id: 2 } },
      order_validity: { years: 1 },
    });
    now = new Date("2026-03-04T17:20:12.000Z");
    expect(await (await read()).json()).toMatchObject({
      status: "issued",
      certificate: { valid_from: "2026-03-04", valid_till: "2027-03-04" },
    });
    expect((await read("someone-else")).status).toBe(404);
    expect(await (await sandbox.app.request("/order/alternate/v1shim1", { headers: { "X-DC-DEVKEY": "k" } })).json()).toMatchObject({
      orders: [{ order_id: 7, status: "issued" }],
    });
  });

  it("forgets the oldest orders past its bound", async () => {
    const sandbox = createSandbox({ maxOrders: 2 });
    for (let i = 0; i < 3; i++) await post(sandbox, order);
    expect(sandbox.orders().map((o) => o.id)).toEqual([100002, 100003]);
  });
});
