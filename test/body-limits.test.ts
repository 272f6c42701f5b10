import { describe, expect, it } from "vitest";
import { startFakeV2 } from "./support/fake-v2.js";
import { orderRequest } from "./support/http-files.js";
import { type InProcessShim, inProcessShim } from "./support/shim.js";

// The limits are the app's own (src/http/body.ts): a declared Content-Length is
// checked as declared, here as a client declares it; a body without one is counted
// while it is read. On a socket, Node's parser holds a body to its declared length: Node's part, not the shim's.
const seed = orderRequest();
const seedHeaders = Object.fromEntries(seed.headers.filter(([name]) => name !== "Content-Length"));

/** An order as a client sends a body it has whole: with its length declared. */
const post = (shim: InProcessShim, headers: Record<string, string>, body: string) =>
  shim.request("/order/code", { method: "POST", headers: { ...headers, "Content-Length": String(Buffer.byteLength(body)) }, body });

describe("the body limit", () => {
  it("refuses a body over SHIM_MAX_BODY_BYTES with a 413 v1 error, from its declared length", async () => {
    const fake = await startFakeV2();
    const shim = await inProcessShim({ DIGICERT_API_URL: fake.url, SHIM_MAX_BODY_BYTES: "2048" });
    const padded = JSON.stringify({ ...JSON.parse(seed.body), org_unit: "x".repeat(3000) });
    const answer = await post(shim, { ...seedHeaders, Accept: "application/xml" }, padded);
    expect(answer.status).toBe(413);
    expect(answer.headers.get("content-type")).toBe("application/vnd.digicert.error+xml");
    expect(await answer.text()).toBe(
      "<errors><error><code>body_too_large</code><description>The body may be at most 2048 bytes.</description></error></errors>",
    );
    expect(fake.requests).toEqual([]);
  });

  it("counts a body without a declared length while reading it, and stops there", async () => {
    const shim = await inProcessShim({ SHIM_MAX_BODY_BYTES: "2048" });
    let sent = 0;
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        sent += 1024;
        if (sent > 1024 * 1024) controller.close();
        else controller.enqueue(new Uint8Array(1024).fill(0x20));
      },
    });
    const answer = await shim.request("/order/code", { method: "POST", headers: seedHeaders, body: endless, duplex: "half" });
    expect(answer.status).toBe(413);
    expect(await answer.json()).toEqual({
      errors: [{ code: "body_too_large", description: "The body may be at most 2048 bytes." }],
    });
    expect(shim.sandbox!.orders()).toEqual([]);
    expect(sent, "the body read past its limit").toBeLessThan(1024 * 1024);
  });

  it("gives XML bodies the tighter SHIM_MAX_XML_BODY_BYTES (16 KiB by default), and JSON bodies the general limit", async () => {
    const shim = await inProcessShim();
    const xml = orderRequest("seed-sample-xml");
    const xmlHeaders = Object.fromEntries(xml.headers.filter(([name]) => name !== "Content-Length"));
    // Padding in an unknown field, which the shim ignores: only the size differs from the seed's order.
    const paddedXml = xml.body.replace("</order>", `<note>${"x".repeat(17_000)}</note></order>`);
    const refused = await post(shim, xmlHeaders, paddedXml);
    expect(refused.status).toBe(413);
    expect(await refused.text()).toContain("The body may be at most 16384 bytes.");
    const paddedJson = JSON.stringify({ ...JSON.parse(seed.body), note: "x".repeat(17_000) });
    const ordered = await post(shim, seedHeaders, paddedJson);
    expect(ordered.status).toBe(201);
    await ordered.body?.cancel();
    expect(shim.sandbox!.orders()).toHaveLength(1);
  });

  it("asks for credentials before it reads a body", async () => {
    const shim = await inProcessShim({ SHIM_MAX_BODY_BYTES: "2048" });
    const { Authorization: _, ...anonymous } = seedHeaders;
    const answer = await post(shim, anonymous, "x".repeat(100_000));
    expect(answer.status).toBe(401);
    await answer.body?.cancel();
  });
});
