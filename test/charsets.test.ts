import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { orderRequest } from "./support/http-files.js";
import { type InProcessShim, inProcessShim } from "./support/shim.js";

// Old clients send Latin-1. A body is read in the charset its Content-Type (or
// its XML declaration) declares, UTF-8 by default; what cannot be read is
// refused, never ordered with U+FFFD in a name.

const AUTH = orderRequest().headers.find(([name]) => name === "Authorization")![1];
const seedJson = JSON.parse(orderRequest().body) as Record<string, string>;
const seedXml = orderRequest("seed-sample-xml").body;

let shim: InProcessShim;
beforeAll(async () => {
  shim = await inProcessShim();
});
afterAll(async () => {
  await shim.close();
});

async function order(contentType: string, body: Buffer) {
  const answer = await shim.request("/order/code", {
    method: "POST",
    headers: { Authorization: AUTH, "Content-Type": contentType, Accept: "application/json" },
    body,
  });
  return { status: answer.status, body: JSON.parse(await answer.text()) };
}
const lastOrdered = () => shim.sandbox!.orders().at(-1)!.body.organization.contacts?.[0]?.last_name;

describe("the body's charset", () => {
  it("reads ISO-8859-1 and Windows-1252 when the Content-Type says so", async () => {
    const latin1 = Buffer.from(JSON.stringify({ ...seedJson, org_contact_lastname: "Müller" }), "latin1");
    for (const charset of ["ISO-8859-1", '"latin1"', "windows-1252"]) {
      expect((await order(`application/json; charset=${charset}`, latin1)).status).toBe(201);
      expect(lastOrdered()).toBe("Müller");
    }
  });

  it("reads an XML body in the encoding its declaration names", async () => {
    const xml = seedXml.replace('encoding="UTF-8"', 'encoding="ISO-8859-1"').replace("McCoy", "Müller");
    expect((await order("text/xml", Buffer.from(xml, "latin1"))).status).toBe(201);
    expect(lastOrdered()).toBe("Müller");
  });

  it("refuses bytes that are not UTF-8 when no other charset is declared, and orders nothing", async () => {
    const before = shim.sandbox!.orders().length;
    const latin1 = Buffer.from(JSON.stringify({ ...seedJson, org_contact_lastname: "Müller" }), "latin1");
    const refused = await order("application/json", latin1);
    expect(refused.status).toBe(400);
    expect(refused.body.errors[0].code).toBe("malformed_body");
    expect((await order("application/json; charset=utf-8", latin1)).status).toBe(400);
    expect(shim.sandbox!.orders()).toHaveLength(before);
  });

  it("refuses any other charset with 415, before the body is read", async () => {
    const utf8 = Buffer.from(JSON.stringify(seedJson));
    for (const contentType of ["application/json; charset=shift_jis", "application/json; charset=utf-16le", "text/xml; charset=nonsense"]) {
      const refused = await order(contentType, utf8);
      expect(refused.status).toBe(415);
      expect(refused.body.errors[0].code).toBe("unsupported_media_type");
    }
    const declared = seedXml.replace('encoding="UTF-8"', 'encoding="Shift_JIS"');
    expect((await order("application/xml", Buffer.from(declared))).status).toBe(415);
  });
});
