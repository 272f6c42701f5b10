import { describe, expect, it } from "vitest";
import { lookupAnswer, type V2Reply } from "./v2-reply.js";

const answer = (status: number, body: unknown): V2Reply => ({ kind: "answer", status, body });
const page = (total: number) => ({ total, limit: 1000, offset: 0 });

describe("what a look-up by alternative_order_id says", () => {
  it("lists the orders that carry the id, lowest first, whatever else their entries say", () => {
    const listed = [
      { order_id: 12, certificate_id: null, status: "pending" },
      { order_id: 10, certificate_id: 99, status: "issued" },
    ];
    expect(lookupAnswer(answer(200, { orders: listed, page: page(2) }))).toEqual({ found: [10, 12] });
    expect(lookupAnswer(answer(200, { orders: [{ order_id: 5 }] }))).toEqual({ found: [5] });
  });

  it("says none when v2 itself says so: its page alone, an empty list, or a 404 in its envelope", () => {
    // Real v2 answers a list with no results with its page and no `orders` key at all.
    expect(lookupAnswer(answer(200, { page: page(0) }))).toBe("none");
    expect(lookupAnswer(answer(200, { orders: [], page: page(0) }))).toBe("none");
    expect(lookupAnswer(answer(200, { orders: [] }))).toBe("none");
    expect(lookupAnswer(answer(200, { orders: null, page: page(0) }))).toBe("none");
    expect(lookupAnswer(answer(404, { errors: [{ code: "not_found", message: "No orders found." }] }))).toBe("none");
  });

  it("fails on anything else: never 'none' for what v2 did not say", () => {
    const failed: V2Reply[] = [
      // A proxy's page, or any 404 without v2's envelope.
      answer(404, undefined),
      answer(404, { message: "Not Found" }),
      answer(200, undefined),
      answer(200, {}),
      answer(200, { orders: null }),
      answer(200, { orders: "none" }),
      // A page that counts orders it does not list.
      answer(200, { page: page(2) }),
      answer(200, { orders: [], page: page(1) }),
      answer(500, { errors: [{ code: "internal" }] }),
      answer(403, { errors: [{ code: "access_denied" }] }),
      answer(429, { errors: [{ code: "request_limit_exceeded" }] }),
      { kind: "no_answer", reason: "ECONNRESET" },
      { kind: "paced", retryAfterMs: 1_000 },
    ];
    for (const reply of failed) expect(lookupAnswer(reply), JSON.stringify(reply)).toBe("failed");
  });
});
