import { describe, expect, it } from "vitest";
import { V1Error } from "../contract/v1-errors.js";
import { type Placement, readRetryAfter, type V2Reply } from "../contract/v2-reply.js";
import { formatOrderId, toV1OrderOutcome } from "./order-answer.js";

const refused = (reply: V2Reply) => ({ kind: "refused" as const, reply });

/** The V1Error the outcome throws for a placement that made no order. */
function refusal(placement: Placement, keys?: readonly string[]): V1Error {
  try {
    toV1OrderOutcome(placement, keys);
  } catch (error) {
    if (error instanceof V1Error) return error;
    throw error;
  }
  throw new Error("expected a V1Error");
}

const failure = (error: V1Error) => ({ status: error.status, codes: error.errors.map((e) => e.code), headers: error.headers });

describe("toV1OrderOutcome", () => {
  it("answers with the order v2 created", () => {
    expect(toV1OrderOutcome({ kind: "created", orderId: 42, reply: { kind: "answer", status: 201, body: { id: 42 } } })).toEqual({
      orderId: 42,
    });
  });

  it("answers 503, and tells the operator, when the attempts ended on a 2xx without an order", () => {
    const unreadable = refusal({
      kind: "gave_up",
      last: { kind: "answer", status: 201, body: { requests: [] } },
      uncertain: true,
    });
    expect(failure(unreadable)).toMatchObject({ status: 503, codes: ["upstream_invalid_answer"] });
    expect(unreadable.alert).toBe("v2 gave an answer the shim cannot read");
  });

  it("takes a 404 from the order endpoint for a wrong DIGICERT_API_URL, not for a missing order", () => {
    expect(failure(refusal(refused({ kind: "answer", status: 404, body: { errors: [{ code: "not_found|route" }] } })))).toMatchObject({
      status: 503,
      codes: ["upstream_invalid_answer"],
    });
  });

  it("answers 401 for a v2 401, which v2 is not documented to send", () => {
    expect(failure(refusal(refused({ kind: "answer", status: 401, body: { errors: [{ code: "access_denied" }] } }))).status).toBe(401);
  });

  it("maps other v2 client errors to 400 carrying their codes", () => {
    const outcome = failure(refusal(refused({ kind: "answer", status: 409, body: { errors: [{ code: "a|b|c", message: "m" }] } })));
    expect(outcome).toMatchObject({ status: 400, codes: ["a:b:c"] });
  });

  it("takes the keys out of v2's codes and messages before they are passed on", () => {
    const body = { errors: [{ code: "key|v2-key-of-acme", message: "The key v2-key-of-acme (for skyfall) may not order." }] };
    const outcome = refusal(refused({ kind: "answer", status: 403, body }), ["v2-key-of-acme", "skyfall"]);
    expect(outcome.errors).toEqual([{ code: "key:[redacted]", description: "The key [redacted] (for [redacted]) may not order." }]);
  });

  it("keeps a 429's Retry-After in seconds and falls back to v2's 5-second window otherwise", () => {
    const limited = (retryAfter?: string) =>
      failure(refusal(refused({ kind: "answer", status: 429, body: undefined, retryAfterSeconds: readRetryAfter(retryAfter) }))).headers;
    expect(limited("30")).toEqual({ "Retry-After": "30" });
    expect(limited("Wed, 21 Oct 2026 07:28:00 GMT")).toEqual({ "Retry-After": "5" });
    expect(limited("1.5")).toEqual({ "Retry-After": "5" });
    expect(limited()).toEqual({ "Retry-After": "5" });
  });

  it("answers 201 with the order a look-up found after a lost answer", () => {
    expect(toV1OrderOutcome({ kind: "found", orderId: 77, alsoCarryingTheId: [] })).toEqual({ orderId: 77 });
  });

  it("answers 503 rate_limited with the pacer's wait when the shim held a call back", () => {
    const outcome = failure(refusal({ kind: "gave_up", last: { kind: "paced", retryAfterMs: 2_300 }, uncertain: false }));
    expect(outcome).toEqual({ status: 503, codes: ["rate_limited"], headers: { "Retry-After": "3" } });
  });

  it("answers a placement that ran out of attempts with its last reply", () => {
    const outcome = failure(refusal({ kind: "gave_up", last: { kind: "answer", status: 502, body: undefined }, uncertain: true }));
    expect(outcome).toMatchObject({ status: 503, codes: ["upstream_unavailable"] });
  });

  it("names an unknown transport failure without echoing it", () => {
    const outcome = refusal({ kind: "gave_up", last: { kind: "no_answer", reason: "EWHATEVER" }, uncertain: false });
    expect(outcome).toEqual(
      new V1Error(503, [
        { code: "upstream_unavailable", description: "DigiCert could not be reached: the connection failed. Try again later." },
      ]),
    );
  });
});

describe("formatOrderId", () => {
  it("gives the integer, or the 8-digit zero-padded string the archived samples show", () => {
    expect(formatOrderId(222307, "number")).toBe(222307);
    expect(formatOrderId(222307, "padded")).toBe("00222307");
    expect(formatOrderId(123456789, "padded")).toBe("123456789");
  });
});
