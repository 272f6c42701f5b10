import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { SHIM_VERSION } from "../src/contract/version.js";
import { SqliteStore } from "../src/state/sqlite.js";
import { keyDigest } from "../src/v2/pacer.js";
import { SEEDED, seedDashboardPast } from "./support/dashboard-seed.js";
import { type FakeV2, startFakeV2 } from "./support/fake-v2.js";
import { basicAuth, getMessage, orderRequest, sendInProcess } from "./support/http-files.js";
import { type InProcessShim, inProcessShim } from "./support/shim.js";

const TOKEN = "a-long-admin-token-for-tests";
let fake: FakeV2 | undefined;

const get = (shim: InProcessShim, path: string, headers: Record<string, string> = {}) => sendInProcess(shim, getMessage(path, headers));

/** A shim on a SQLite file that already holds the seeded past, with the seed's orders sent through it. */
async function start(env: Record<string, string> = { SHIM_ADMIN_TOKEN: TOKEN }): Promise<InProcessShim> {
  const file = join(mkdtempSync(join(tmpdir(), "shim-dashboard-")), "state.db");
  const store = new SqliteStore(file);
  await seedDashboardPast(store);
  await store.close();
  fake = await startFakeV2();
  const shim = await inProcessShim({ DIGICERT_API_URL: fake.url, SHIM_RETRY_BASE_MS: "1", SHIM_STATE: `sqlite:${file}`, ...env });
  await sendInProcess(shim, orderRequest());
  await sendInProcess(shim, {
    ...orderRequest(),
    headers: orderRequest().headers.filter(([n]) => n !== "Content-Length"),
    body: "{}",
  });
  return shim;
}

describe("GET /_shim/dashboard", () => {
  it("does not exist without SHIM_ADMIN_TOKEN", async () => {
    const shim = await start({});
    for (const path of ["/_shim/dashboard", "/_shim/dashboard.json"]) {
      expect((await get(shim, path, { Authorization: `Bearer ${TOKEN}` })).status).toBe(404);
    }
  });

  it("answers 401 with a Basic challenge, and nothing of the page, without the token or with a wrong one", async () => {
    const shim = await start();
    for (const path of ["/_shim/dashboard", "/_shim/dashboard.json"]) {
      for (const headers of [
        {} as Record<string, string>,
        { Authorization: basicAuth("ops", "not-the-token-at-all") },
        { Authorization: `Bearer ${TOKEN}x` },
      ]) {
        const answer = await get(shim, path, headers);
        expect(answer.status).toBe(401);
        expect(answer.headers["www-authenticate"]).toMatch(/^Basic realm=/);
        expect(answer.text).not.toContain("001007");
        expect(answer.text).not.toContain(SEEDED.unknownOrder);
      }
    }
  });

  it("opens with the token as Basic password (any user name) or as Bearer, and shows no secret", async () => {
    const shim = await start();
    for (const authorization of [basicAuth("anyone", TOKEN), basicAuth("", TOKEN), `Bearer ${TOKEN}`]) {
      const page = await get(shim, "/_shim/dashboard", { Authorization: authorization });
      expect(page.status).toBe(200);
      expect(page.headers["content-type"]).toMatch(/^text\/html/);
      expect(page.headers["cache-control"]).toBe("no-store");
      expect(page.text).toContain("001007");
      expect(page.text).not.toContain(TOKEN);
      // The seed's Basic key (skyfall), sent as X-DC-DEVKEY in passthrough.
      expect(page.text).not.toContain("skyfall");
      expect(page.text).not.toMatch(/https?:\/\/(?!127\.0\.0\.1)/);
    }
  });

  it("shows who calls, the days with traffic, what fails, the unknown order with its look-up, and the health", async () => {
    const shim = await start();
    const data = JSON.parse((await get(shim, "/_shim/dashboard.json", { Authorization: `Bearer ${TOKEN}` })).text);
    const account = (id: string) => data.accounts.find((a: { account_id: string }) => a.account_id === id);
    expect(account("001007")).toMatchObject({ last24h: 2, last7d: 2, migrated: false, error_share: 0.5 });
    expect(account(SEEDED.pastAccount)).toMatchObject({ last24h: 0, last7d: 3 + 4 + 5, last30d: 3 + 4 + 5 + 6, migrated: false });
    expect(account(SEEDED.migratedAccount)).toMatchObject({ migrated: true, last30d: 0 });
    const [all] = data.volume.series;
    expect(all.perDay.filter((n: number) => n > 0)).toHaveLength(SEEDED.pastDays.length + 1);
    expect(data.volume.days).toHaveLength(30);
    // The empty order missed many fields: one request in its family.
    expect(data.failures.v1).toContainEqual(
      expect.objectContaining({ code: "required_param:*", status: "400", last24h: 1, last7d: 1, more: expect.any(Number) }),
    );
    expect(data.unverified).toMatchObject({ account_id: "(unverified)", last24h: SEEDED.unverifiedCalls });
    expect(data.headline).toEqual({ calling: 2, accounts: 3 });
    expect(data.orders.unknown).toEqual([
      expect.objectContaining({
        alternative_order_id: SEEDED.unknownOrder,
        account_id: "001007",
        curl: `curl -s -H "X-DC-DEVKEY: $KEY" '${fake!.url}/order/alternate/${SEEDED.unknownOrder}'`,
      }),
    ]);
    expect(data.health).toMatchObject({
      store: { backend: "sqlite", up: true },
      v2: "reachable",
      version: SHIM_VERSION,
      replicas: [expect.objectContaining({ version: SHIM_VERSION, other_version: false })],
    });
    expect(account(SEEDED.pastAccount).latency).toMatchObject({ orders: 41 });
    // The seed's order, paced under its key's digest (the key itself is nowhere).
    expect(data.health.pacing).toContainEqual(
      expect.objectContaining({ key: `${keyDigest("skyfall").slice(0, 10)}…`, calls: 1, limit: 100, windowMs: 5_000 }),
    );
    const page = (await get(shim, "/_shim/dashboard", { Authorization: `Bearer ${TOKEN}` })).text;
    // One mark per day with traffic, in each of the chart's two drawings (wide and narrow).
    expect(page.match(/<circle class="day"/g)).toHaveLength(2 * (SEEDED.pastDays.length + 1));
    expect(page).toContain(`data-order="${SEEDED.unknownOrder}"`);
  });

  it("sorts by the column a link asks for, and by the 30 days for anything else", async () => {
    const shim = await start();
    const order = async (query: string) =>
      JSON.parse((await get(shim, `/_shim/dashboard.json${query}`, { Authorization: `Bearer ${TOKEN}` })).text).accounts.map(
        (a: { account_id: string }) => a.account_id,
      );
    expect(await order("?sort=last24h")).toEqual(["001007", SEEDED.pastAccount, SEEDED.migratedAccount]);
    expect(await order("?sort=last30d")).toEqual([SEEDED.pastAccount, "001007", SEEDED.migratedAccount]);
    expect(await order("?sort=nonsense")).toEqual(await order(""));
    const page = (await get(shim, "/_shim/dashboard?sort=errors", { Authorization: `Bearer ${TOKEN}` })).text;
    expect(page).toContain('href="?sort=errors" aria-current="true"');
  });
});
