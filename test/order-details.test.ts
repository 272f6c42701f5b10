import { createHash } from "node:crypto";
import { request } from "undici";
import { describe, expect, it } from "vitest";
import { orderRequest, sendHttpMessage } from "./support/http-files.js";
import { startShim } from "./support/shim.js";

const AUTH = { Authorization: "Basic MDAxMDA3OnNreWZhbGw=" };

async function get(url: string, headers: Record<string, string> = {}, method = "GET") {
  const response = await request(url, { method, headers: { ...AUTH, ...headers } });
  return { status: response.statusCode, headers: response.headers, text: await response.body.text() };
}

/** Places the seed's order through the shim and gives the URL of its details. */
async function placeSeedOrder(shimUrl: string): Promise<string> {
  const ordered = await sendHttpMessage(shimUrl, orderRequest());
  return `${shimUrl}/order/${JSON.parse(ordered.text).order_id}`;
}

describe("GET /order/{order_id}: ETag and HEAD", () => {
  it("carries a strong ETag derived from the body, and answers a matching If-None-Match with 304 and no body", async () => {
    const shim = await startShim({ SHIM_SANDBOX_ISSUE_AFTER_MS: "60000" });
    try {
      const url = await placeSeedOrder(shim.url);
      const first = await get(url);
      expect(first.status).toBe(200);
      expect(first.headers.etag).toBe(`"${createHash("sha1").update(first.text).digest("hex")}"`);

      const again = await get(url, { "If-None-Match": String(first.headers.etag) });
      expect(again.status).toBe(304);
      expect(again.text).toBe("");
      expect(again.headers.etag).toBe(first.headers.etag);

      expect((await get(url, { "If-None-Match": '"something else"' })).status).toBe(200);
      expect((await get(url, { Accept: "application/xml" })).headers.etag).not.toBe(first.headers.etag);
    } finally {
      await shim.close();
    }
  });

  it("answers HEAD with GET's headers and no body", async () => {
    const shim = await startShim({ SHIM_SANDBOX_ISSUE_AFTER_MS: "60000" });
    try {
      const url = await placeSeedOrder(shim.url);
      const full = await get(url);
      const head = await get(url, {}, "HEAD");
      expect(head.status).toBe(200);
      expect(head.text).toBe("");
      for (const header of ["content-type", "etag", "content-length"]) expect(head.headers[header], header).toBe(full.headers[header]);
    } finally {
      await shim.close();
    }
  });
});

describe("a legacy client through the shim and its sandbox", () => {
  for (const format of ["json", "xml"] as const) {
    it(`orders, then polls the order until it is issued (${format})`, async () => {
      const shim = await startShim({ SHIM_SANDBOX_ISSUE_AFTER_MS: "300" });
      try {
        const ordered = await sendHttpMessage(shim.url, orderRequest(format === "json" ? "seed-sample-json" : "seed-sample-xml"));
        expect(ordered.status).toBe(201);
        const orderId = format === "json" ? JSON.parse(ordered.text).order_id : ordered.text.match(/<order_id>(\d+)<\/order_id>/)![1];
        const accept = `application/vnd.digicert.rest-v1+${format}`;

        const seen: string[] = [];
        let etag: string | undefined;
        for (let poll = 0; poll < 40 && seen.at(-1) !== "issued"; poll++) {
          const details = await get(`${shim.url}/order/${String(orderId).padStart(8, "0")}`, { Accept: accept });
          expect(details.status).toBe(200);
          expect(details.headers["content-type"]).toBe(accept);
          seen.push(
            format === "json" ? JSON.parse(details.text).certificate_details.status : details.text.match(/<status>([^<]+)<\/status>/)![1]!,
          );
          if (seen.length > 1 && seen.at(-1) !== seen.at(-2)) expect(details.headers.etag).not.toBe(etag);
          etag = String(details.headers.etag);
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        expect(seen[0]).toBe("pending issuance");
        expect(seen.at(-1)).toBe("issued");
      } finally {
        await shim.close();
      }
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
    const shim = await startShim({ SHIM_SANDBOX_ISSUE_AFTER_MS: "60000" });
    try {
      const url = await placeSeedOrder(shim.url);
      const json = JSON.parse((await get(url)).text);
      expect(Object.keys(json.certificate_details).sort()).toEqual([...LEGACY_DETAILS_FIELDS].sort());
      expect(json.receipt).toEqual({ order_total: "" });
      expect(json.certificate_details).toMatchObject({ validity: "1 Year(s)", valid_from: "", is_renewal: false, renewed_order_id: 0 });

      const xml = (await get(url, { Accept: "application/vnd.digicert.rest-v1+xml" })).text;
      const details = xml.match(/<certificate_details>(.*)<\/certificate_details>/)?.[1] ?? "";
      const elements = [...details.matchAll(/<(\w+)>(?:[^<]|<(?!\/\1>))*<\/\1>/g)].map((m) => m[1]);
      expect(elements.sort()).toEqual([...LEGACY_DETAILS_FIELDS].sort());
      expect(xml).toContain("<receipt><order_total></order_total></receipt>");
    } finally {
      await shim.close();
    }
  });
});

describe("the order id under each SHIM_ORDER_ID_FORMAT", () => {
  for (const [format, type] of [
    ["number", "number"],
    ["padded", "string"],
  ] as const) {
    it(`is the same value of the same type in POST /order/code's answer and in the details (${format}: a ${type})`, async () => {
      const shim = await startShim({ SHIM_ORDER_ID_FORMAT: format, SHIM_SANDBOX_ISSUE_AFTER_MS: "60000" });
      try {
        const ordered = JSON.parse((await sendHttpMessage(shim.url, orderRequest())).text).order_id;
        expect(typeof ordered).toBe(type);
        const details = JSON.parse((await get(`${shim.url}/order/${ordered}`)).text).certificate_details;
        expect(details.order_id).toStrictEqual(ordered);
      } finally {
        await shim.close();
      }
    });
  }
});
