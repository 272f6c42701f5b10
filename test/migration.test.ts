import { request } from "undici";
import { describe, expect, it } from "vitest";
import { startFakeV2 } from "./support/fake-v2.js";
import { getMessage, type HttpMessage, orderRequest, sendHttpMessage, sendInProcess } from "./support/http-files.js";
import { inProcessShim, startShim } from "./support/shim.js";

const TOKEN = "a-long-admin-token-for-tests";
/** A fresh fake v2, and the shim's settings against it. */
async function against(env: Record<string, string> = {}) {
  const fake = await startFakeV2();
  return { fake, settings: { DIGICERT_API_URL: fake.url, SHIM_RETRY_BASE_MS: "1", ...env } };
}

async function start(env: Record<string, string> = {}) {
  const { fake, settings } = await against(env);
  return { fake, shim: await inProcessShim(settings) };
}

const withAgent = (message: HttpMessage, agent: string): HttpMessage => ({
  ...message,
  headers: message.headers.map(([name, value]): [string, string] => [name, name === "User-Agent" ? agent : value]),
});

describe("GET /_shim/clients", () => {
  it("does not exist without SHIM_ADMIN_TOKEN", async () => {
    const { shim } = await start();
    expect((await shim.request("/_shim/clients", { headers: { Authorization: `Bearer ${TOKEN}` } })).status).toBe(404);
  });

  it("answers only to the bearer token", async () => {
    const { shim } = await start({ SHIM_ADMIN_TOKEN: TOKEN });
    expect((await shim.request("/_shim/clients")).status).toBe(401);
    expect((await shim.request("/_shim/clients", { headers: { Authorization: "Bearer a-long-admin-token-for-test" } })).status).toBe(401);
    expect((await shim.request("/_shim/clients", { headers: { Authorization: `Bearer ${TOKEN}` } })).status).toBe(200);
  });

  it("counts each account and agent's calls by outcome, with first and last seen", async () => {
    const { shim, fake } = await start({ SHIM_ADMIN_TOKEN: TOKEN });
    const seed = orderRequest();
    await sendInProcess(shim, seed);
    await sendInProcess(shim, seed);
    await sendInProcess(shim, {
      ...withAgent(seed, "OldPerl/1.0"),
      headers: withAgent(seed, "OldPerl/1.0").headers.filter(([n]) => n !== "Content-Length"),
      body: "{}",
    });
    fake.script({ status: 400, body: { errors: [{ code: "invalid_contact", message: "no" }] } });
    await sendInProcess(shim, withAgent(seed, "OldPerl/1.0"));
    fake.script(...Array.from({ length: 3 }, () => ({ status: 503, text: "down" })));
    await sendInProcess(shim, withAgent(seed, "OldPerl/1.0"));
    await sendInProcess(shim, getMessage("/order/500001", { "User-Agent": "curl/8" }));
    await sendInProcess(shim, { ...seed, startLine: "POST /_shim/translate/order/code" });

    const clientsView = await shim.request("/_shim/clients", { headers: { Authorization: `Bearer ${TOKEN}` } });
    const { since, clients } = JSON.parse(await clientsView.text());
    expect(Date.parse(since)).not.toBeNaN();
    const zero = { ordered: 0, read: 0, refused_by_validation: 0, refused_by_v2: 0, failed_upstream: 0, during_brownouts: 0, replayed: 0 };
    expect(clients).toHaveLength(3);
    expect(clients).toContainEqual(
      expect.objectContaining({ account_id: "001007", user_agent: "MyAPIConsumer/0.42", counts: { ...zero, ordered: 2 } }),
    );
    expect(clients).toContainEqual(
      expect.objectContaining({
        account_id: "001007",
        user_agent: "OldPerl/1.0",
        counts: { ...zero, refused_by_validation: 1, refused_by_v2: 1, failed_upstream: 1 },
      }),
    );
    // Without credentials, curl is not told apart: only callers whose credentials were accepted are.
    expect(clients).toContainEqual(
      expect.objectContaining({ account_id: "(unverified)", user_agent: "(unverified)", counts: { ...zero, refused_by_validation: 1 } }),
    );
    const perl = clients.find((c: { user_agent: string }) => c.user_agent === "OldPerl/1.0");
    expect(Date.parse(perl.last_seen)).toBeGreaterThanOrEqual(Date.parse(perl.first_seen));
    expect(clients[0].user_agent).toBe("(unverified)");
  });
});

describe("deprecation signals", () => {
  // Listening: a legacy custom method (REISSUE) is answered by the server's parser hook, outside the app,
  // and its answer must carry the signals too.
  it("are on every v1 answer when configured: Deprecation, Sunset and a Link to the migration guide", async () => {
    const { settings } = await against({
      SHIM_DEPRECATION_DATE: "2026-07-01",
      SHIM_SUNSET_DATE: "2027-06-30T00:00:00Z",
      SHIM_MIGRATION_URL: "https://wiki.example.com/v2-migration",
    });
    const shim = await startShim(settings);
    const expected = {
      deprecation: `@${Date.UTC(2026, 6, 1) / 1000}`,
      sunset: "Wed, 30 Jun 2027 00:00:00 GMT",
      link: '<https://wiki.example.com/v2-migration>; rel="deprecation"; type="text/html"',
    };
    const ordered = await sendHttpMessage(shim.url, orderRequest());
    const refused = await sendHttpMessage(shim.url, { ...orderRequest(), headers: [], body: "" });
    const notFound = await sendHttpMessage(shim.url, getMessage("/nowhere"));
    const details = await sendHttpMessage(
      shim.url,
      getMessage(`/order/${JSON.parse(ordered.text).order_id}`, { Authorization: "Basic MDAxMDA3OnNreWZhbGw=" }),
    );
    const notModified = await sendHttpMessage(
      shim.url,
      getMessage(`/order/${JSON.parse(ordered.text).order_id}`, {
        Authorization: "Basic MDAxMDA3OnNreWZhbGw=",
        "If-None-Match": String(details.headers.etag),
      }),
    );
    expect(notModified.status).toBe(304);
    const reissue = await request(`${shim.url}/order/1`, { method: "REISSUE", headers: { Authorization: "Basic MDAxMDA3OnNreWZhbGw=" } });
    expect(reissue.statusCode).toBe(405);
    await reissue.body.dump();
    for (const answer of [ordered, refused, notFound, details, notModified, { headers: reissue.headers }])
      expect(answer.headers).toMatchObject(expected);
    for (const path of ["/healthz", "/metrics", "/_shim/openapi.json"]) {
      expect((await sendHttpMessage(shim.url, getMessage(path))).headers).not.toHaveProperty("deprecation");
    }
    // The shim's own endpoints are not v1: a translation carries no deprecation signal.
    const translated = await sendHttpMessage(shim.url, { ...orderRequest(), startLine: "POST /_shim/translate/order/code HTTP/1.1" });
    expect(translated.status).toBe(200);
    for (const name of ["deprecation", "sunset", "link"]) expect(translated.headers).not.toHaveProperty(name);
  });

  it("are absent unless configured, each on its own", async () => {
    const { shim, fake } = await start({ SHIM_SUNSET_DATE: "2027-06-30" });
    const answer = await sendInProcess(shim, orderRequest());
    expect(answer.headers.sunset).toBe("Wed, 30 Jun 2027 00:00:00 GMT");
    expect(answer.headers).not.toHaveProperty("deprecation");
    expect(answer.headers).not.toHaveProperty("link");
    await shim.close();
    await fake.close();
    const plain = await start();
    expect((await sendInProcess(plain.shim, orderRequest())).headers).not.toHaveProperty("sunset");
  });
});

describe("GET /metrics", () => {
  const value = (text: string, series: string) =>
    Number(
      text
        .split("\n")
        .find((line) => line.startsWith(`${series} `))
        ?.split(" ")[1] ?? 0,
    );

  it("moves as requests flow: requests, v2 calls and latency, resends, recoveries, refused fields", async () => {
    const { shim, fake } = await start();
    const before = await (await shim.request("/metrics")).text();
    expect(value(before, 'shim_requests_total{route="/order/code",status="201",format="json"}')).toBe(0);

    await sendInProcess(shim, orderRequest());
    fake.script({ drop: true });
    await sendInProcess(shim, orderRequest());
    fake.script({ create: true, drop: true });
    await sendInProcess(shim, orderRequest());
    await sendInProcess(shim, {
      ...orderRequest(),
      headers: orderRequest().headers.filter(([n]) => n !== "Content-Length"),
      body: '{"validity": "9"}',
    });

    const after = await shim.request("/metrics");
    expect(after.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await after.text();
    expect(value(text, 'shim_requests_total{route="/order/code",status="201",format="json"}')).toBe(3);
    expect(value(text, 'shim_requests_total{route="/order/code",status="400",format="json"}')).toBe(1);
    expect(value(text, 'shim_v2_calls_total{call="create_order",outcome="2xx"}')).toBe(2);
    expect(value(text, 'shim_v2_calls_total{call="create_order",outcome="no_answer"}')).toBe(2);
    // v2 answers both look-ups 200: one lists none (its page alone), one lists the order.
    expect(value(text, 'shim_v2_calls_total{call="find_by_alternative_id",outcome="2xx"}')).toBe(2);
    expect(value(text, 'shim_v2_call_duration_seconds_count{call="create_order"}')).toBe(4);
    expect(value(text, "shim_order_resends_total")).toBe(1);
    expect(value(text, "shim_orders_recovered_total")).toBe(1);
    expect(value(text, 'shim_validation_failures_total{field="validity"}')).toBe(1);
    expect(value(text, 'shim_validation_failures_total{field="org_name"}')).toBe(1);
    expect(text).toContain("process_resident_memory_bytes");
    expect(text).not.toMatch(/001007|MyAPIConsumer|skyfall/);
  });

  it("labels a v2 429 as 429, apart from the other 4xx", async () => {
    const { shim, fake } = await start();
    fake.script({ status: 429, body: { errors: [{ code: "request_limit_exceeded" }] } });
    await sendInProcess(shim, orderRequest());
    const text = await (await shim.request("/metrics")).text();
    expect(value(text, 'shim_v2_calls_total{call="create_order",outcome="429"}')).toBe(1);
    expect(value(text, 'shim_v2_calls_total{call="create_order",outcome="4xx"}')).toBe(0);
  });
});
