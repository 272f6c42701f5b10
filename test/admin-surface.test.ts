import { afterEach, describe, expect, it } from "vitest";
import { basicAuth, getMessage, orderRequest, sendHttpMessage, sendInProcess } from "./support/http-files.js";
import { inProcessShim, type RunningShim, startShim } from "./support/shim.js";

const TOKEN = "a-long-admin-token-for-tests";
const ADMIN_PATHS = ["/metrics", "/_shim/clients", "/_shim/orders", "/_shim/dashboard", "/_shim/dashboard.json"];
const TOKEN_PATHS = ADMIN_PATHS.filter((path) => path !== "/metrics");

let shim: RunningShim | undefined;
afterEach(async () => {
  await shim?.close();
  shim = undefined;
});

// SHIM_ADMIN_PORT opens a second listener: which of the two ports serves what is the point.
describe("SHIM_ADMIN_PORT", () => {
  it("serves /metrics, /_shim/clients, /_shim/orders and the dashboard there only; the legacy port keeps v1 and the probes", async () => {
    shim = await startShim({ SHIM_ADMIN_PORT: "0", SHIM_ADMIN_TOKEN: TOKEN });
    const admin = shim.adminUrl!;
    expect(admin).toBeDefined();
    expect(admin).not.toBe(shim.url);
    const authorization = `Bearer ${TOKEN}`;
    for (const path of ADMIN_PATHS) {
      const onLegacy = await sendHttpMessage(shim.url, getMessage(path, { Authorization: authorization }));
      expect([path, onLegacy.status]).toEqual([path, 404]);
      expect(onLegacy.text).not.toContain("shim_");
      expect([path, (await sendHttpMessage(admin, getMessage(path, { Authorization: authorization }))).status]).toEqual([path, 200]);
    }
    // The legacy surface and the probes stay where clients and load balancers look for them.
    expect((await sendHttpMessage(shim.url, orderRequest())).status).toBe(201);
    for (const path of ["/healthz", "/readyz"]) {
      expect((await sendHttpMessage(shim.url, getMessage(path))).status).toBe(200);
      expect((await sendHttpMessage(admin, getMessage(path))).status).toBe(200);
    }
    // Nothing of v1 on the admin port.
    const order = await sendHttpMessage(admin, orderRequest());
    expect(order.status).toBe(404);
    expect(JSON.parse(order.text)).toMatchObject({ errors: [{ code: "not_found" }] });
  });

  it("unset: the admin surface is on the legacy port, as before", async () => {
    shim = await startShim({ SHIM_ADMIN_TOKEN: TOKEN });
    expect(shim.adminUrl).toBeUndefined();
    for (const path of ADMIN_PATHS)
      expect((await sendHttpMessage(shim.url, getMessage(path, { Authorization: `Bearer ${TOKEN}` }))).status).toBe(200);
  });
});

describe("the admin token", () => {
  it("opens every admin endpoint the same way: Bearer, or Basic with any user name", async () => {
    const admin = await inProcessShim({ SHIM_ADMIN_PORT: "0", SHIM_ADMIN_TOKEN: TOKEN });
    const getAdmin = (path: string, headers: Record<string, string> = {}) =>
      sendInProcess({ request: admin.adminRequest }, getMessage(path, headers));
    for (const path of TOKEN_PATHS) {
      for (const authorization of [`Bearer ${TOKEN}`, basicAuth("ops", TOKEN), basicAuth("", TOKEN)]) {
        expect([path, authorization.split(" ")[0], (await getAdmin(path, { Authorization: authorization })).status]).toEqual([
          path,
          authorization.split(" ")[0],
          200,
        ]);
      }
      // Without it, or with a wrong one: the same v1-style refusal with a Basic challenge.
      const wrong: Record<string, string>[] = [{}, { Authorization: basicAuth("ops", `${TOKEN}x`) }, { Authorization: "Bearer nope" }];
      for (const headers of wrong) {
        const refused = await getAdmin(path, headers);
        expect(refused.status).toBe(401);
        expect(refused.headers["www-authenticate"]).toMatch(/^Basic realm=/);
        expect(JSON.parse(refused.text)).toMatchObject({ errors: [{ code: "access_denied" }] });
      }
    }
  });

  it("limits wrong tokens per client address: past ten, 429 with Retry-After, and the token is not even compared", async () => {
    // One proxy in front: the client's address is the X-Forwarded-For entry it appended (which entry is
    // believed: src/http/client-address.test.ts), so no socket's peer is needed.
    const admin = await inProcessShim({ SHIM_ADMIN_TOKEN: TOKEN, SHIM_TRUST_PROXY_HOPS: "1" });
    const from = (address: string, authorization: string) =>
      sendInProcess(admin, getMessage("/_shim/clients", { Authorization: authorization, "X-Forwarded-For": address }));
    // A right token gives its slot back: an operator's own use never counts against it.
    for (let i = 0; i < 12; i++) expect((await from("203.0.113.7", `Bearer ${TOKEN}`)).status).toBe(200);
    const statuses = [];
    for (let i = 0; i < 12; i++) statuses.push((await from("203.0.113.7", basicAuth("guess", `wrong-${i}`))).status);
    expect(statuses).toEqual([...Array(10).fill(401), 429, 429]);
    const limited = await from("203.0.113.7", `Bearer ${TOKEN}`);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers["retry-after"])).toBeGreaterThan(0);
    expect(JSON.parse(limited.text)).toMatchObject({ errors: [{ code: "too_many_failed_admin_tokens" }] });
    expect(limited.text).not.toContain(TOKEN);
    // Another address is not held back by the guesser's failures.
    expect((await from("198.51.100.20", `Bearer ${TOKEN}`)).status).toBe(200);
  });
});
