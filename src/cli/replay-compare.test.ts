import { describe, expect, it } from "vitest";
import { seedV2Request } from "../../test/support/seed-order.js";
import type { CaptureRecord } from "../capture/record.js";
import { type ComparedV2Call, type Exchange, exchangeChanges, notReplayed } from "./replay-compare.js";

const order = (alternativeOrderId: string): ComparedV2Call => {
  const { product, body } = seedV2Request(alternativeOrderId);
  return { call: "create_order", method: "POST", path: `/order/certificate/${product}`, body: JSON.parse(JSON.stringify(body)) };
};
const lookup = (alternativeOrderId: string): ComparedV2Call => ({
  call: "find_by_alternative_id",
  method: "GET",
  path: `/order/alternate/${alternativeOrderId}`,
});
const created = (orderId: number | string, headers: Record<string, string> = {}): Exchange["answer"] => ({
  status: 201,
  headers: { "content-type": "application/vnd.digicert.rest-v1+json", ...headers },
  body: JSON.stringify({ order_id: orderId }),
});
const fields = (was: Exchange, now: Exchange, seeV2 = true) => exchangeChanges(was, now, { seeV2 }).map((c) => c.field);

describe("exchangeChanges", () => {
  it("finds none between an exchange and itself with a fresh alternative_order_id, request id, date, contacts' order and plan", () => {
    const signals = { deprecation: "@1782864000", sunset: "Wed, 30 Jun 2027 00:00:00 GMT" };
    const then: Exchange = {
      v2: [order("v1shimaaa"), lookup("v1shimaaa")],
      answer: created(222307, { "x-request-id": "a", date: "Mon", ...signals }),
    };
    const again = order("v1shimbbb");
    (again.body as { organization: { contacts: unknown[] } }).organization.contacts.reverse();
    const now: Exchange = { v2: [again, lookup("v1shimbbb")], answer: created(222307, { "x-request-id": "b", date: "Tue" }) };
    expect(fields(then, now)).toEqual([]);
  });

  it("names a field the candidate sends otherwise, a call it adds, a status, a header and a body field", () => {
    const changed = order("v1shimbbb");
    (changed.body as { organization: { state: string } }).organization.state = "FL";
    const then: Exchange = { v2: [order("v1shimaaa")], answer: created(222307) };
    const now: Exchange = {
      v2: [changed, lookup("v1shimbbb")],
      answer: { status: 200, headers: { "content-type": "application/json", "retry-after": "5" }, body: '{"order_id":222308}' },
    };
    expect(exchangeChanges(then, now, { seeV2: true })).toEqual([
      { field: "v2 calls", was: "create_order", now: "create_order, find_by_alternative_id" },
      { field: "v2 create_order: organization.state", was: "Florida", now: "FL" },
      { field: "v1 status", was: 201, now: 200 },
      { field: "v1 header content-type", was: "application/vnd.digicert.rest-v1+json", now: "application/json" },
      { field: "v1 header retry-after", was: undefined, now: "5" },
      { field: "v1 body: order_id", was: 222307, now: 222308 },
    ]);
  });

  it("names an order sent three times the same way once, and the product path", () => {
    const ev = order("v1shimaaa");
    const plain = { ...order("v1shimbbb"), path: "/order/certificate/code_signing" };
    const then: Exchange = { v2: [ev, ev, ev], answer: created(1) };
    const now: Exchange = { v2: [plain, plain, plain], answer: created(1) };
    expect(fields(then, now)).toEqual(["v2 create_order: path"]);
  });

  it("without v2 to see, compares an order id by its form only, and no ETag", () => {
    const then: Exchange = { v2: [order("a")], answer: created(222307, { etag: '"x"' }) };
    expect(fields(then, { v2: undefined, answer: created(500001, { etag: '"y"' }) }, false)).toEqual([]);
    expect(fields(then, { v2: undefined, answer: created("00500001") }, false)).toEqual(["v1 body: order_id"]);
  });

  it("compares XML as data, and the order of its elements", () => {
    const xml = (body: string): Exchange => ({ v2: [], answer: { status: 200, headers: { "content-type": "application/xml" }, body } });
    const then = xml("<response><a>1</a><b>2</b></response>");
    expect(fields(then, xml("<response>\n<a>1</a><b>2</b></response>"))).toEqual([]);
    expect(fields(then, xml("<response><a>1</a><b>3</b></response>"))).toEqual(["v1 body: response.b"]);
    expect(fields(then, xml("<response><b>2</b><a>1</a></response>"))).toEqual(["v1 body: element order"]);
  });
});

describe("notReplayed", () => {
  const record = (answer: number, log: CaptureRecord["log"] = {}) =>
    ({ answer: { status: answer, headers: {}, body: "" }, log }) as CaptureRecord;

  it("leaves out client retries and answers to the moment's conditions, and replays the rest", () => {
    expect(notReplayed(record(201, { replayed_from: "r1" }))).toBe("a client's retry, answered with an earlier order");
    expect(notReplayed(record(499))).toBe("the client left before its request arrived");
    expect(notReplayed(record(503, { errors: ["shutting_down"] }))).toBe("answered while the shim was draining");
    expect(notReplayed(record(503, { errors: ["rate_limited"] }))).toBe("held back by the shim's own pacing");
    expect(notReplayed(record(410, { errors: ["sunset"] }))).toBe("refused past the account's sunset in the migration plan");
    expect(notReplayed(record(503, { errors: ["migration_brownout"] }))).toBe("refused by a brownout of the migration plan");
    expect(notReplayed(record(503, { errors: ["upstream_unavailable"] }))).toBeUndefined();
    expect(notReplayed(record(400, { errors: ["invalid_param:validity"] }))).toBeUndefined();
  });
});
