import { describe, expect, it } from "vitest";
import { inProcessApp } from "./support/app.js";
import { basicAuth, orderRequest } from "./support/http-files.js";

// Passthrough, where v2 judges the key: a client's retry is recognised, and answered with
// the earlier order, only for the key that placed it. Any other key reaches v2 and gets
// v2's own answer (the sandbox takes any key but those beginning with `invalid`).

const seed = orderRequest();
const headers = (key: string, more: Record<string, string> = {}): Record<string, string> => ({
  ...Object.fromEntries(seed.headers),
  Authorization: basicAuth("001007", key),
  ...more,
});

async function shim() {
  const { app, sandbox } = await inProcessApp();
  const send = async (key: string, more: Record<string, string> = {}, body = seed.body) => {
    const answer = await app.request("/order/code", { method: "POST", headers: headers(key, more), body });
    return { status: answer.status, body: (await answer.json()) as { order_id?: number; errors?: { code: string }[] } };
  };
  return { send, made: () => sandbox.orders().length };
}

describe("a retry is recognised only for the credential that placed the order", () => {
  it("an identical order with a wrong key reaches v2 and is refused there, never answered with the other key's order", async () => {
    const { send, made } = await shim();
    const first = await send("key-a");
    expect(first.status).toBe(201);
    expect(await send("key-a")).toEqual(first);
    const wrong = await send("invalid-guess");
    expect(wrong.status).toBe(401);
    expect(wrong.body.errors![0]!.code).toBe("access_denied:access_denied_invalid_key");
    expect(made()).toBe(1);
  });

  it("another key's identical order is its own order, whichever was first", async () => {
    const { send, made } = await shim();
    const a = await send("key-a");
    const b = await send("key-b");
    expect(b.status).toBe(201);
    expect(b.body.order_id).not.toBe(a.body.order_id);
    expect(made()).toBe(2);
  });

  it("an Idempotency-Key names one order per key: another key's request with it is its own order, or v2's refusal, never a 409 or 422", async () => {
    const { send, made } = await shim();
    const a = await send("key-a", { "Idempotency-Key": "k-1" });
    const b = await send("key-b", { "Idempotency-Key": "k-1" });
    expect(b.status).toBe(201);
    expect(b.body.order_id).not.toBe(a.body.order_id);
    const other = JSON.stringify({ ...JSON.parse(seed.body), org_contact_firstname: "Mary" });
    const junk = await send("invalid-guess", { "Idempotency-Key": "k-1" }, other);
    expect(junk.status).toBe(401);
    expect(made()).toBe(2);
  });
});
