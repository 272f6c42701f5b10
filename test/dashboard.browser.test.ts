import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type BrowserContext, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RedisStore } from "../src/state/redis.js";
import { SqliteStore } from "../src/state/sqlite.js";
import type { StateStore } from "../src/state/store.js";
import { SEEDED, seedDashboardPast } from "./support/dashboard-seed.js";
import { type FakeV2, startFakeV2 } from "./support/fake-v2.js";
import { orderRequest, sendHttpMessage } from "./support/http-files.js";
import { type RedisServer, startRedis } from "./support/redis.js";
import { type RunningShim, startShim } from "./support/shim.js";

// The dashboard in a real browser: Debian's chromium, driven by playwright-core,
// kept off the network. `.ci/run` installs chromium; only where it cannot be
// found is this skipped, and it says so.

const CHROMIUM = "/usr/bin/chromium";
const FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];
/** Git-ignored: where the screenshots go; README's docs/dashboard.png was copied from here once. */
const SHOTS = join(import.meta.dirname, "..", "test-output", "dashboard");
const TOKEN = "a-long-admin-token-for-browser-tests";
const haveChromium = existsSync(CHROMIUM);
const haveRedis = spawnSync("sh", ["-c", "command -v redis-server"]).status === 0;

if (!haveChromium) {
  console.error(
    `\n*** SKIPPED: the dashboard's browser test: no Chromium at ${CHROMIUM} (apt-get install -y chromium; .ci/run does). ***\n`,
  );
}

let redis: RedisServer | undefined;
let fake: FakeV2;
const shims: RunningShim[] = [];
const contexts: BrowserContext[] = [];
/** Every request the browser made to a host other than the shim's. */
const elsewhere: string[] = [];

async function openBrowser(options: { token?: string; width: number; height: number }): Promise<BrowserContext> {
  const context = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), "shim-chromium-")), {
    executablePath: CHROMIUM,
    headless: true,
    args: FLAGS,
    javaScriptEnabled: false,
    viewport: { width: options.width, height: options.height },
    ...(options.token && { httpCredentials: { username: "operator", password: options.token } }),
  });
  contexts.push(context);
  await context.route("**/*", (route) => {
    const url = new URL(route.request().url());
    if (url.hostname === "127.0.0.1") return route.continue();
    elsewhere.push(url.href);
    return route.abort();
  });
  return context;
}

describe.skipIf(!haveChromium)(
  `the dashboard in Chromium (${haveRedis ? "two replicas on one Redis" : "one replica on SQLite: no redis-server"})`,
  () => {
    beforeAll(async () => {
      fake = await startFakeV2();
      let state: string;
      let store: StateStore;
      if (haveRedis) {
        redis = await startRedis();
        state = redis.url;
        const redisStore = new RedisStore({ url: state, ledgerRetentionMs: 30 * 86_400_000 });
        await redisStore.connect();
        store = redisStore;
      } else {
        const file = join(mkdtempSync(join(tmpdir(), "shim-dashboard-")), "state.db");
        state = `sqlite:${file}`;
        store = new SqliteStore(file);
      }
      await seedDashboardPast(store);
      await store.close();
      const env = { DIGICERT_API_URL: fake.url, SHIM_STATE: state, SHIM_ADMIN_TOKEN: TOKEN, SHIM_SUNSET_DATE: "2027-06-30" };
      for (let i = 0; i < (haveRedis ? 2 : 1); i++) shims.push(await startShim(env));
      // One order through the first replica, one refused request through the last, with another agent.
      await sendHttpMessage(shims[0]!.url, orderRequest());
      const seed = orderRequest();
      await sendHttpMessage(shims.at(-1)!.url, {
        ...seed,
        headers: seed.headers
          .filter(([n]) => n !== "Content-Length")
          .map(([n, v]): [string, string] => [n, n === "User-Agent" ? "OldPerl/1.0" : v]),
        body: "{}",
      });
    }, 60_000);

    afterAll(async () => {
      for (const context of contexts) await context.close();
      for (const shim of shims) await shim.close();
      await fake?.close();
      await redis?.stop();
    });

    it("without the token, or with a wrong one: 401 and nothing of the page", async () => {
      for (const token of [undefined, "not-the-admin-token-at-all"]) {
        const page = await (await openBrowser({ width: 1280, height: 800, ...(token && { token }) })).newPage();
        const answers: Promise<[number, string]>[] = [];
        page.on("response", (response) => void answers.push(response.text().then((text) => [response.status(), text])));
        // Headless Chromium has no one to ask for a login: it ends the navigation, having seen the 401.
        await page.goto(`${shims[0]!.url}/_shim/dashboard`).catch(() => undefined);
        const seen = await Promise.all(answers);
        expect(seen.length).toBeGreaterThan(0);
        for (const [status, text] of seen) {
          expect(status).toBe(401);
          expect(text).not.toContain("001007");
        }
      }
    });

    it("with the token: every replica's callers, the days with traffic, the unknown order; at 1280 and 390 px", async () => {
      mkdirSync(SHOTS, { recursive: true });
      for (const [width, height] of [
        [1280, 1000],
        [390, 844],
      ] as const) {
        const page = await (await openBrowser({ token: TOKEN, width, height })).newPage();
        const url = `${shims[0]!.url}/_shim/dashboard`;
        // The other replica writes what it counted within a second: reload until it shows (bounded).
        const until = Date.now() + 15_000;
        let answer = await page.goto(url);
        while (!(await page.content()).includes("OldPerl/1.0") && Date.now() < until) {
          await new Promise((resolve) => setTimeout(resolve, 250));
          answer = await page.goto(url);
        }
        expect(answer?.status()).toBe(200);
        const callers = page.locator("#callers");
        for (const agent of ["MyAPIConsumer/0.42", "OldPerl/1.0", SEEDED.pastAgent])
          await expect(callers.getByText(agent, { exact: false }).count()).resolves.toBe(1);
        await expect(page.locator(`tr[data-account="${SEEDED.migratedAccount}"] .badge`).textContent()).resolves.toBe("migrated");
        await expect(page.locator("#volume circle.day").count()).resolves.toBe(SEEDED.pastDays.length + 1);
        await expect(page.locator(`#orders tr[data-order="${SEEDED.unknownOrder}"]`).textContent()).resolves.toContain("X-DC-DEVKEY: $KEY");
        await expect(page.locator("#health").textContent()).resolves.toMatch(/v2:\s*reachable/);
        // Nothing wider than the window: the wide tables scroll inside their own box.
        await expect(page.evaluate<number>("document.documentElement.scrollWidth")).resolves.toBeLessThanOrEqual(width);
        const html = await page.content();
        expect(html).not.toContain(TOKEN);
        expect(html).not.toContain("skyfall");
        await page.screenshot({ path: join(SHOTS, `dashboard-${width}.png`), fullPage: true });
      }
      expect(elsewhere).toEqual([]);
    }, 60_000);
  },
);
