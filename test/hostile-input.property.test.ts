import fc from "fast-check";
import { XMLValidator } from "fast-xml-parser";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../src/config/config.js";
import { V1_ORDER_FIELDS } from "../src/contract/v1-order.js";
import { inProcessApp } from "./support/app.js";
import { basicAuth } from "./support/http-files.js";
import { SEED_FIELDS } from "./support/seed-order.js";

// Random and mutated v1 requests, JSON and XML, against the real app and its
// sandbox: every answer is a well-formed v1 answer in a v1 media type, none is a
// 5xx of the shim's own making (the sandbox never fails), and only a 201 means
// an order reached v2; v2 never sees a payload it refuses.

// Equal random orders are distinct orders here: no retry window.
const { app, sandbox } = await inProcessApp({
  config: loadConfig({ SHIM_V2_RATE_LIMITS: "off", SHIM_MAX_BODY_BYTES: "4096", SHIM_RETRY_WINDOW_MS: "0" }),
});

const BASIC = basicAuth("001007", "skyfall");
const MEDIA = [
  "application/vnd.digicert.rest-v1+json",
  "application/vnd.digicert.rest-v1+xml",
  "application/json; charset=utf-8",
  "text/xml",
  "application/xml",
];
const V1_TYPES = new Set([
  "application/vnd.digicert.rest-v1+json",
  "application/vnd.digicert.rest-v1+xml",
  "application/vnd.digicert.error+json",
  "application/vnd.digicert.error+xml",
]);

const text = fc.oneof(
  fc.string(),
  fc.string({ unit: "grapheme" }),
  fc.constantFrom("", " ", "<", "&", "]]>", "&amp;", "\u0000", "x".repeat(300)),
);
const value = fc.oneof(
  { weight: 5, arbitrary: text },
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(text, { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), text, { maxKeys: 3 }),
);
const key = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom(...V1_ORDER_FIELDS) },
  fc.constantFrom("__proto__", "constructor", "toString"),
  fc.string({ maxLength: 8 }),
);

/** The seed's order with some fields changed, removed or added: near-valid input finds more than noise does. */
const fields = fc
  .tuple(fc.dictionary(key, value, { maxKeys: 6 }), fc.subarray([...V1_ORDER_FIELDS]), fc.boolean())
  .map(([changes, removed, fromSeed]) => {
    const base: Record<string, unknown> = fromSeed ? { ...SEED_FIELDS } : {};
    for (const field of removed) delete base[field];
    return { ...base, ...changes };
  });

// Plausible values for each field, around the rules' edges, for orders that are
// mostly valid: the border between the shim's validation and v2's schema.
const around = (limit: number) => fc.integer({ min: 1, max: limit + 3 }).map((n) => "x".repeat(n));
const plausible: Record<string, fc.Arbitrary<unknown>> = {
  validity: fc.constantFrom("1", "2", "3", 1, 3, "4", "0"),
  platform: fc.constantFrom("2", "3", "-1", "17", "51", "57", "64", 13, "", "99"),
  cs_provisioning_method: fc.constantFrom("ship_token", "client_app", "CLIENT_APP", "", "email"),
  cs_ship_method: fc.constantFrom("standard", "expedited", "Expedited", "", "fast"),
  ev: fc.constantFrom("true", "false", true, false, "TRUE", ""),
  org_country: fc.constantFrom("US", "ca", "gb", "DE", "xx", "usa", ""),
  ship_country: fc.constantFrom("US", "ca", "zz", ""),
  org_state: fc.oneof(fc.constantFrom("FL", "on", "QC", "Bavaria", ""), around(64)),
  ship_state: fc.constantFrom("va", "BC", "Texas", ""),
  org_contact_email: fc.oneof(fc.emailAddress(), fc.constantFrom("gm@example", "@x.com", `${"a".repeat(250)}@x.com`)),
  org_name: around(64),
  org_addr1: around(64),
  org_addr2: around(64),
  org_city: around(64),
  org_zip: around(128),
  telephone: around(32),
  org_contact_firstname: around(128),
  org_contact_lastname: around(128),
  org_contact_job_title: around(64),
  org_contact_telephone: around(32),
  org_contact_telephone_ext: around(16),
  org_unit: around(70),
  ship_name: around(20),
  ship_addr1: around(20),
  ship_addr2: around(20),
  ship_city: around(20),
  ship_zip: around(10),
};
const nearValid = fc
  .array(
    fc.constantFrom(...V1_ORDER_FIELDS).chain((field) => fc.tuple(fc.constant(field), plausible[field] ?? text)),
    { maxLength: 4 },
  )
  .map((changes) => ({ ...SEED_FIELDS, ...Object.fromEntries(changes) }));

const escapeXml = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
const xmlOf = (record: Record<string, unknown>, escaped: boolean, root: string) =>
  `<${root}>${Object.entries(record)
    .map(([k, v]) => {
      const tag = /^[A-Za-z_][\w.-]*$/.test(k) ? k : "field";
      const content = typeof v === "object" && v !== null ? JSON.stringify(v) : String(v);
      return `<${tag}>${escaped ? escapeXml(content) : content}</${tag}>`;
    })
    .join("")}</${root}>`;

/** Truncated, spliced or prefixed: what a broken client or an attacker sends. */
const mutate = (body: fc.Arbitrary<string>) =>
  fc.oneof(
    { weight: 3, arbitrary: body },
    fc.tuple(body, fc.nat()).map(([b, n]) => b.slice(0, n % (b.length + 1))),
    fc.tuple(body, fc.nat(), text).map(([b, n, t]) => b.slice(0, n % (b.length + 1)) + t + b.slice(n % (b.length + 1))),
    body.map((b) => `<!DOCTYPE x [<!ENTITY a "${"a".repeat(50)}">]>${b}`),
    fc.string(),
  );

const jsonBody = mutate(fields.map((f) => JSON.stringify(f)));
const xmlBody = mutate(
  fc.tuple(fields, fc.boolean(), fc.constantFrom("order", "request", "x")).map(([f, escaped, root]) => xmlOf(f, escaped, root)),
);
const headers = fc.record({
  contentType: fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(...MEDIA) },
    fc.constantFrom(undefined, "text/plain", "multipart/form-data"),
    fc.string(),
  ),
  accept: fc.oneof(
    {
      weight: 6,
      arbitrary: fc.constantFrom(undefined, "*/*", "application/xml", "application/json", "text/html", "application/json;q=0, */*;q=0.1"),
    },
    fc.string(),
  ),
  authorization: fc.oneof(
    { weight: 6, arbitrary: fc.constant(BASIC) },
    fc.constantFrom(undefined, "Basic", "Basic !!!", "Bearer x"),
    fc.string(),
  ),
});

async function checkAnswer(
  body: string,
  h: { contentType?: string | undefined; accept?: string | undefined; authorization?: string | undefined },
) {
  const before = sandbox.orders().length;
  const requestHeaders: Record<string, string> = {};
  if (h.contentType !== undefined) requestHeaders["Content-Type"] = h.contentType;
  if (h.accept !== undefined) requestHeaders.Accept = h.accept;
  if (h.authorization !== undefined) requestHeaders.Authorization = h.authorization;
  let response: Response;
  try {
    response = await app.request("/order/code", { method: "POST", headers: requestHeaders, body });
  } catch {
    // A header value the Fetch API itself refuses never reaches a server.
    return;
  }
  const contentType = response.headers.get("content-type") ?? "";
  const answer = await response.text();

  expect([201, 400, 401, 406, 413, 415]).toContain(response.status);
  expect(V1_TYPES).toContain(contentType);
  if (contentType.endsWith("+json")) {
    const parsed = JSON.parse(answer);
    if (response.status === 201) expect(parsed).toEqual({ order_id: expect.any(Number) });
    else
      expect(
        parsed.errors.every(
          (e: { code: unknown; description: unknown }) => typeof e.code === "string" && typeof e.description === "string",
        ),
      ).toBe(true);
  } else {
    expect(XMLValidator.validate(answer)).toBe(true);
    expect(answer.startsWith(response.status === 201 ? "<response>" : "<errors>")).toBe(true);
  }
  expect(sandbox.orders().length).toBe(before + (response.status === 201 ? 1 : 0));
  if (response.status === 400) expect(answer).not.toMatch(/invalid_param:(certificate|organization|order_validity|ship_info)\./);
}

describe("hostile and random input", () => {
  it("JSON bodies always get a well-formed v1 answer and never reach v2 when invalid", async () => {
    await fc.assert(
      fc.asyncProperty(jsonBody, headers, (body, h) => checkAnswer(body, h)),
      { numRuns: 400 },
    );
  });

  it("XML bodies always get a well-formed v1 answer and never reach v2 when invalid", async () => {
    await fc.assert(
      fc.asyncProperty(xmlBody, headers, (body, h) => checkAnswer(body, h)),
      { numRuns: 400 },
    );
  });

  it("near-valid orders that pass validation are always accepted by v2's schema", async () => {
    await fc.assert(
      fc.asyncProperty(nearValid, async (f) => {
        await checkAnswer(JSON.stringify(f), { contentType: MEDIA[0], authorization: BASIC });
      }),
      { numRuns: 400 },
    );
  });
});

describe("random methods, paths and overrides", () => {
  const methods = fc.constantFrom(
    "GET",
    "HEAD",
    "POST",
    "PUT",
    "DELETE",
    "PATCH",
    "OPTIONS",
    "APPROVE",
    "REISSUE",
    "REJECT",
    "RENEW",
    "REVOKE",
    "PROPFIND",
  );
  const paths = fc.oneof(
    fc.constantFrom(
      "/order/code",
      "/order/00222307",
      "/order/222307",
      "/order/0",
      "/order/ssl",
      "/order/1/certificate",
      "/enterprise/x",
      "/",
      "/order/code/x",
    ),
    fc.string().map((s) => `/order/${encodeURIComponent(s)}`),
  );
  const override = fc.option(fc.oneof(methods, fc.constantFrom("TRACE", "CONNECT", "get", " head "), fc.string({ maxLength: 10 })), {
    nil: undefined,
  });

  it("always get a well-formed v1 answer, and only POST /order/code ever orders", async () => {
    await fc.assert(
      fc.asyncProperty(methods, paths, override, headers, async (method, path, overrideWith, h) => {
        const before = sandbox.orders().length;
        const requestHeaders: Record<string, string> = { Authorization: BASIC, "Content-Type": MEDIA[0]! };
        if (overrideWith !== undefined) requestHeaders["X-HTTP-Method-Override"] = overrideWith;
        if (h.accept !== undefined) requestHeaders.Accept = h.accept;
        let response: Response;
        try {
          response = await app.request(path, {
            method,
            headers: requestHeaders,
            body: method === "GET" || method === "HEAD" ? null : JSON.stringify(SEED_FIELDS),
          });
        } catch {
          return; // a header value or method the Fetch API itself refuses never reaches a server
        }
        const answer = await response.text();
        expect(response.status).toBeLessThan(500);
        if (answer !== "") expect(V1_TYPES).toContain(response.headers.get("content-type"));
        if (response.status === 405 || response.status === 204) expect(response.headers.get("allow")).toMatch(/OPTIONS$/);
        const ordered = sandbox.orders().length - before;
        expect(ordered).toBe(response.status === 201 ? 1 : 0);
        if (ordered) expect([method, path, overrideWith?.trim().toUpperCase() || "POST"]).toEqual(["POST", "/order/code", "POST"]);
      }),
      { numRuns: 500 },
    );
  });
});
