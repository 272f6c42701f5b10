import { Readable } from "node:stream";
import { request } from "undici";
import { describe, expect, it } from "vitest";
import { startFakeV2 } from "./support/fake-v2.js";
import { orderRequest } from "./support/http-files.js";
import { startShim } from "./support/shim.js";

// Over a socket: a declared Content-Length is checked against what Node's parser delivers (src/http/body.ts).
const seed = orderRequest();
const seedHeaders = Object.fromEntries(seed.headers.filter(([name]) => name !== "Content-Length"));

describe("the body limit", () => {
  it("refuses a body over SHIM_MAX_BODY_BYTES with a 413 v1 error, from its declared length", async () => {
    const fake = await startFakeV2();
    const shim = await startShim({ DIGICERT_API_URL: fake.url, SHIM_MAX_BODY_BYTES: "2048" });
    const padded = JSON.stringify({ ...JSON.parse(seed.body), org_unit: "x".repeat(3000) });
    const answer = await request(`${shim.url}/order/code`, {
      method: "POST",
      headers: { ...seedHeaders, Accept: "application/xml" },
      body: padded,
    });
    expect(answer.statusCode).toBe(413);
    expect(answer.headers["content-type"]).toBe("application/vnd.digicert.error+xml");
    expect(await answer.body.text()).toBe(
      "<errors><error><code>body_too_large</code><description>The body may be at most 2048 bytes.</description></error></errors>",
    );
    expect(fake.requests).toEqual([]);
  });

  it("counts a body without a declared length while reading it, and stops there", async () => {
    const shim = await startShim({ SHIM_MAX_BODY_BYTES: "2048" });
    let sent = 0;
    const endless = new Readable({
      read() {
        sent += 1024;
        this.push(sent > 1024 * 1024 ? null : Buffer.alloc(1024, " "));
      },
    });
    const answer = await request(`${shim.url}/order/code`, { method: "POST", headers: seedHeaders, body: endless });
    expect(answer.statusCode).toBe(413);
    expect(JSON.parse(await answer.body.text())).toEqual({
      errors: [{ code: "body_too_large", description: "The body may be at most 2048 bytes." }],
    });
    expect(shim.sandbox!.orders()).toEqual([]);
  });

  it("gives XML bodies the tighter SHIM_MAX_XML_BODY_BYTES (16 KiB by default), and JSON bodies the general limit", async () => {
    const shim = await startShim();
    const xml = orderRequest("seed-sample-xml");
    const xmlHeaders = Object.fromEntries(xml.headers.filter(([name]) => name !== "Content-Length"));
    // Padding in an unknown field, which the shim ignores: only the size differs from the seed's order.
    const paddedXml = xml.body.replace("</order>", `<note>${"x".repeat(17_000)}</note></order>`);
    const refused = await request(`${shim.url}/order/code`, { method: "POST", headers: xmlHeaders, body: paddedXml });
    expect(refused.statusCode).toBe(413);
    expect(await refused.body.text()).toContain("The body may be at most 16384 bytes.");
    const paddedJson = JSON.stringify({ ...JSON.parse(seed.body), note: "x".repeat(17_000) });
    const ordered = await request(`${shim.url}/order/code`, { method: "POST", headers: seedHeaders, body: paddedJson });
    expect(ordered.statusCode).toBe(201);
    await ordered.body.dump();
    expect(shim.sandbox!.orders()).toHaveLength(1);
  });

  it("asks for credentials before it reads a body", async () => {
    const shim = await startShim({ SHIM_MAX_BODY_BYTES: "2048" });
    const { Authorization: _, ...anonymous } = seedHeaders;
    const answer = await request(`${shim.url}/order/code`, { method: "POST", headers: anonymous, body: "x".repeat(100_000) });
    expect(answer.statusCode).toBe(401);
    await answer.body.dump();
  });
});
