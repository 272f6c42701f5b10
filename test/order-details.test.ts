import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../src/config/config.js";
import { V2Client } from "../src/v2/client.js";
import { Pacer } from "../src/v2/pacer.js";
import { createSandbox } from "../src/v2/sandbox.js";
import { inProcessTransport } from "../src/v2/transport.js";
import { inProcessApp } from "./support/app.js";
import { type HttpMessage, orderRequest } from "./support/http-files.js";

// In process (app.request): what is asserted is each answer, not the socket it came on.

const AUTH = { Authorization: "Basic MDAxMDA3OnNreWZhbGw=" };

/**
 * The shim in process against a sandbox whose clock the test turns: an order is
 * issued `issueAfterMs` after it was made, by that clock alone.
 */
async function shimWithSandbox(issueAfterMs: number, env: Record<string, string> = {}) {
  let now = Date.now();
  const sandbox = createSandbox({ issueAfterMs, now: () => new Date(now) });
  const { app } = await inProcessApp({ config: loadConfig(env), v2: new V2Client(inProcessTransport(sandbox.app), new Pacer([])) });
  return {
    order: async (message: HttpMessage = orderRequest()) => {
      const answer = await app.request("/order/code", { method: "POST", headers: Object.fromEntries(message.headers), body: message.body });
      return { status: answer.status, text: await answer.text() };
    },
    get: async (path: string, headers: Record<string, string> = {}, method = "GET") => {
      const answer = await app.request(path, { method, headers: { ...AUTH, ...headers } });
      return { status: answer.status, headers: Object.fromEntries(answer.headers), text: await answer.text() };
    },
    advance: (ms: number) => {
      now += ms;
    },
  };
}

/** Places the seed's order and gives the path of its details. */
async function placeSeedOrder(shim: Awaited<ReturnType<typeof shimWithSandbox>>): Promise<string> {
  return `/order/${JSON.parse((await shim.order()).text).order_id}`;
}

describe("GET /order/{order_id}: ETag and HEAD", () => {
  it("carries a strong ETag derived from the body, and answers a matching If-None-Match with 304 and no body", async () => {
    const shim = await shimWithSandbox(60_000);
    const url = await placeSeedOrder(shim);
    const first = await shim.get(url);
    expect(first.status).toBe(200);
    expect(first.headers.etag).toBe(`"${createHash("sha1").update(first.text).digest("hex")}"`);

    const again = await shim.get(url, { "If-None-Match": String(first.headers.etag) });
    expect(again.status).toBe(304);
    expect(again.text).toBe("");
    expect(again.headers.etag).toBe(first.headers.etag);

    expect((await shim.get(url, { "If-None-Match": '"something else"' })).status).toBe(200);
    expect((await shim.get(url, { Accept: "application/xml" })).headers.etag).not.toBe(first.headers.etag);
  });

  it("answers HEAD with GET's headers and no body", async () => {
    const shim = await shimWithSandbox(60_000);
    const url = await placeSeedOrder(shim);
    const full = await shim.get(url);
    const head = await shim.get(url, {}, "HEAD");
    expect(head.status).toBe(200);
    expect(head.text).toBe("");
    for (const header of ["content-type", "etag", "content-length"]) expect(head.headers[header], header).toBe(full.headers[header]);
  });
});

describe("a legacy client through the shim and its sandbox", () => {
  for (const format of ["json", "xml"] as const) {
    it(`orders, then polls the order until it is issued (${format})`, async () => {
      const shim = await shimWithSandbox(300);
      const ordered = await shim.order(orderRequest(format === "json" ? "seed-sample-json" : "seed-sample-xml"));
      expect(ordered.status).toBe(201);
      const orderId = format === "json" ? JSON.parse(ordered.text).order_id : ordered.text.match(/<order_id>(\d+)<\/order_id>/)![1];
      const accept = `application/vnd.digicert.rest-v1+${format}`;

      const seen: string[] = [];
      let etag: string | undefined;
      for (let poll = 0; poll < 40 && seen.at(-1) !== "issued"; poll++) {
        const details = await shim.get(`/order/${String(orderId).padStart(8, "0")}`, { Accept: accept });
        expect(details.status).toBe(200);
        expect(details.headers["content-type"]).toBe(accept);
        seen.push(
          format === "json" ? JSON.parse(details.text).certificate_details.status : details.text.match(/<status>([^<]+)<\/status>/)![1]!,
        );
        if (seen.length > 1 && seen.at(-1) !== seen.at(-2)) expect(details.headers.etag).not.toBe(etag);
        etag = String(details.headers.etag);
        // The sandbox's clock, 50 ms a poll: issued at the seventh, however slow the machine.
        shim.advance(50);
      }
      expect(seen[0]).toBe("pending issuance");
      expect(seen.at(-1)).toBe("issued");
    });
  }
});

// The legacy details page's fields, and those typed v1 clients carry besides
// (business_unit, is_renewal, renewed_order_id; site_seal_token, which one real
// client reads): written out here, not taken from the shim's schema, since a
// client reads them whatever the schema says.
const LEGACY_DETAILS_FIELDS = [
  "order_id",
  "status",
  "product_name",
  "validity",
  "org_unit",
  "common_name",
  "sans",
  "order_date",
  "valid_from",
  "valid_till",
  "server_type",
  "server_type_name",
  "site_seal_token",
  "business_unit",
  "is_renewal",
  "renewed_order_id",
];

describe("a legacy client that reads every details field without checking", () => {
  it("finds each of them, and the receipt's total, in JSON and in XML, for a pending order v2 says little about", async () => {
    const shim = await shimWithSandbox(60_000);
    const url = await placeSeedOrder(shim);
    const json = JSON.parse((await shim.get(url)).text);
    expect(Object.keys(json.certificate_details).sort()).toEqual([...LEGACY_DETAILS_FIELDS].sort());
    expect(json.receipt).toEqual({ order_total: "" });
    expect(json.certificate_details).toMatchObject({ validity: "1 Year(s)", valid_from: "", is_renewal: false, renewed_order_id: 0 });

    const xml = (await shim.get(url, { Accept: "application/vnd.digicert.rest-v1+xml" })).text;
    const details = xml.match(/<certificate_details>(.*)<\/certificate_details>/)?.[1] ?? "";
    const elements = [...details.matchAll(/<(\w+)>(?:[^<]|<(?!\/\1>))*<\/\1>/g)].map((m) => m[1]);
    expect(elements.sort()).toEqual([...LEGACY_DETAILS_FIELDS].sort());
    expect(xml).toContain("<receipt><order_total></order_total></receipt>");
  });
});

describe("the order id under each SHIM_ORDER_ID_FORMAT", () => {
  for (const [format, type] of [
    ["number", "number"],
    ["padded", "string"],
  ] as const) {
    it(`is the same value of the same type in POST /order/code's answer and in the details (${format}: a ${type})`, async () => {
      const shim = await shimWithSandbox(60_000, { SHIM_ORDER_ID_FORMAT: format });
      const ordered = JSON.parse((await shim.order()).text).order_id;
      expect(typeof ordered).toBe(type);
      const details = JSON.parse((await shim.get(`/order/${ordered}`)).text).certificate_details;
      expect(details.order_id).toStrictEqual(ordered);
    });
  }
});
