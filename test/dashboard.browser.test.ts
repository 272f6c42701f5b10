import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type BrowserContext, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SHIM_VERSION } from "../src/contract/version.js";
import { redisStore } from "../src/state/redis/store.js";
import { SqliteStore } from "../src/state/sqlite.js";
import type { StateStore } from "../src/state/store.js";
import { SEEDED, seedDashboardPast } from "./support/dashboard-seed.js";
import { eventually } from "./support/eventually.js";
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
/** Git-ignored: where the screenshots go; docs/observability.md's dashboard.png and dashboard-390.png are copied from here. */
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

/** The page's sections, each present at every width. */
const SECTIONS = ["health", "refusals", "callers", "volume", "failures", "orders", "pacing"];

// Run in the page (as text: the test's own code, not the page's, which may have none).
/** Every element (but those only screen readers get) that reaches past the window's edges. */
const TOO_WIDE = `(() => {
  const width = document.documentElement.clientWidth;
  const wide = [];
  for (const element of document.querySelectorAll("body *")) {
    if (element.closest(".sr-only")) continue;
    const box = element.getBoundingClientRect();
    if (box.width === 0 && box.height === 0) continue;
    if (box.right > width + 0.5 || box.left < -0.5) wide.push(element.tagName + "." + element.getAttribute("class") + " " + Math.round(box.right));
  }
  return wide;
})()`;
/** Each code shown that breaks onto a new line after anything but a separator, with the characters around the break. */
const BROKEN_CODES = `(() => {
  const broken = [];
  for (const code of document.querySelectorAll("main code")) {
    if (code.getClientRects().length === 0) continue;
    const chars = [];
    const walker = document.createTreeWalker(code, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (let i = 0; i < node.length; i++) {
        const range = document.createRange();
        range.setStart(node, i);
        range.setEnd(node, i + 1);
        const box = range.getClientRects()[0];
        if (box) chars.push({ c: node.data[i], top: box.top });
      }
    }
    for (let i = 1; i < chars.length; i++) {
      if (chars[i].top > chars[i - 1].top + 2 && !/[:_./=&?\\s-]/.test(chars[i - 1].c)) broken.push(chars[i - 1].c + "|" + chars[i].c + " in " + code.textContent);
    }
  }
  return broken;
})()`;
/** The rendered height, in px, of the smallest label on the chart shown. */
const SMALLEST_CHART_LABEL = `Math.min(...[...document.querySelectorAll("#volume svg.chart")]
  .filter((svg) => svg.getClientRects().length > 0)
  .flatMap((svg) => [...svg.querySelectorAll("text.tick")])
  .map((text) => text.getBoundingClientRect().height))`;

async function openBrowser(options: { token?: string; width: number; height: number; script?: boolean }): Promise<BrowserContext> {
  const context = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), "shim-chromium-")), {
    executablePath: CHROMIUM,
    headless: true,
    args: FLAGS,
    javaScriptEnabled: options.script ?? false,
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
        const onRedis = redisStore({ url: state, ledgerRetentionMs: 30 * 86_400_000 });
        await onRedis.connect();
        store = onRedis;
      } else {
        const file = join(mkdtempSync(join(tmpdir(), "shim-dashboard-")), "state.db");
        state = `sqlite:${file}`;
        store = new SqliteStore(file);
      }
      await seedDashboardPast(store);
      await store.close();
      const env = {
        DIGICERT_API_URL: fake.url,
        SHIM_STATE: state,
        SHIM_ADMIN_TOKEN: TOKEN,
        // Past: the page flags it. The sunset is to come.
        SHIM_DEPRECATION_DATE: "2025-01-01",
        SHIM_SUNSET_DATE: "2099-06-30",
        // A retry window (its secret in the store, shared), so that either replica knows the other's orders again.
        SHIM_RETRY_WINDOW_MS: "600000",
      };
      // In one test process, the default replica ids (host and process id) would be one.
      for (let i = 0; i < (haveRedis ? 2 : 1); i++) shims.push(await startShim({ ...env, SHIM_REPLICA_ID: `shim-${"ab"[i]}` }));
      // One order through the first replica, the same again (a client's retry: a replay), one refused request through the last, with another agent.
      await sendHttpMessage(shims[0]!.url, orderRequest());
      await sendHttpMessage(shims.at(-1)!.url, orderRequest());
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
        const headersSeen: Record<string, string>[] = [];
        page.on("response", (response) => {
          headersSeen.push(response.headers());
          answers.push(response.text().then((text) => [response.status(), text]));
        });
        // Headless Chromium has no one to ask for a login: it ends the navigation, having seen the 401.
        await page.goto(`${shims[0]!.url}/_shim/dashboard`).catch(() => undefined);
        const seen = await Promise.all(answers);
        expect(seen.length).toBeGreaterThan(0);
        for (const [status, text] of seen) {
          expect(status).toBe(401);
          expect(text).not.toContain("001007");
        }
        expect(headersSeen.at(-1)).toMatchObject({ "x-frame-options": "DENY", "x-content-type-options": "nosniff" });
      }
    });

    it("with the token, at 1280 and 390 px: every section, nothing wider than the window, the headers, the numbers the issue asked for", async () => {
      mkdirSync(SHOTS, { recursive: true });
      for (const [width, height] of [
        [1280, 1000],
        [390, 844],
      ] as const) {
        const page = await (await openBrowser({ token: TOKEN, width, height })).newPage();
        const url = `${shims[0]!.url}/_shim/dashboard`;
        // The other replica writes what it counted within a second: reload until it shows.
        const answer = await eventually(
          "the other replica's client on the page",
          async () => {
            const loaded = await page.goto(url);
            return (await page.content()).includes("OldPerl/1.0") && loaded;
          },
          { intervalMs: 250 },
        );
        expect(answer?.status()).toBe(200);
        const headers = answer!.headers();
        expect(headers["content-security-policy"]).toMatch(/default-src 'none'/);
        expect(headers["content-security-policy"]).toMatch(/frame-ancestors 'none'/);
        expect(headers).toMatchObject({ "x-content-type-options": "nosniff", "referrer-policy": "no-referrer", "x-frame-options": "DENY" });

        for (const id of SECTIONS) await expect(page.locator(`main > section#${id}`).isVisible(), id).resolves.toBe(true);
        await expect(page.evaluate<string[]>(TOO_WIDE)).resolves.toEqual([]);
        await expect(page.evaluate<number>("document.documentElement.scrollWidth")).resolves.toBeLessThanOrEqual(width);
        await expect(page.evaluate<string[]>(BROKEN_CODES)).resolves.toEqual([]);
        // v2's refusals where the page opens, whatever the errors below them.
        const refusals = await page.locator("#refusals table, #refusals p").first().boundingBox();
        expect(refusals!.y).toBeLessThan(height);

        const callers = page.locator("#callers");
        for (const agent of ["MyAPIConsumer/0.42", "OldPerl/1.0", SEEDED.pastAgent])
          await expect(callers.getByText(agent, { exact: false }).count()).resolves.toBe(1);
        await expect(page.locator(`tr[data-account="${SEEDED.migratedAccount}"] .badge`).textContent()).resolves.toBe("migrated");
        // The retry of the first order, answered as a replay; the seeded orders' times, p50 and p99.
        await expect(page.locator('tr[data-account="001007"] .replays').textContent()).resolves.toBe("1");
        await expect(page.locator(`tr[data-account="${SEEDED.pastAccount}"] .latency`).textContent()).resolves.toMatch(
          /^[78]\d\d ms · 1[23] s$/,
        );
        await expect(page.locator('tr[data-account="001007"] .paths').textContent()).resolves.toMatch(/^orders 100 %$/);
        // Three verified accounts, one of them migrated; the unverified bucket is its own line, not a row.
        await expect(page.locator("#headline").textContent()).resolves.toMatch(/^2 of 3 accounts still call v1/);
        await expect(page.locator("#unverified").textContent()).resolves.toContain(`${SEEDED.unverifiedCalls} requests in 24 h`);
        await expect(page.locator('tr[data-account="(unverified)"]').count()).resolves.toBe(0);

        // The request that missed every field is one row of its family.
        const family = page.locator("#failures tr.family", { hasText: "required_param:*" });
        await expect(family.locator('td[data-label="Requests 24 h"]').textContent()).resolves.toBe("1");
        await expect(page.locator("#refusals").textContent()).resolves.toContain(SEEDED.v2Refusal.code);

        await expect(page.locator("#volume svg.chart:visible circle.day").count()).resolves.toBe(SEEDED.pastDays.length + 1);
        await expect(page.locator("#volume svg.chart:visible text.tick.y").count()).resolves.toBeGreaterThanOrEqual(3);
        await expect(page.locator("#volume svg.chart:visible text.tick.x").count()).resolves.toBe(5);
        await expect(page.evaluate<number>(SMALLEST_CHART_LABEL)).resolves.toBeGreaterThanOrEqual(11);
        await expect(page.locator("#volume .sr-only table tbody tr").count()).resolves.toBe(30);

        await expect(page.locator(`#orders tr[data-order="${SEEDED.unknownOrder}"]`).textContent()).resolves.toContain("X-DC-DEVKEY: $KEY");
        const health = page.locator("#health");
        await expect(health.textContent()).resolves.toMatch(/reachable/);
        await expect(health.locator(".card", { hasText: "Deprecation" }).locator(".badge").textContent()).resolves.toBe("past");
        await expect(health.locator(".card", { hasText: "Sunset" }).locator(".badge").count()).resolves.toBe(0);
        await expect(health.locator("li.replica").count()).resolves.toBe(shims.length);
        await expect(health.locator("li.replica").first().textContent()).resolves.toContain(SHIM_VERSION);
        // No time with milliseconds anywhere on the page.
        await expect(page.locator("body").textContent()).resolves.not.toMatch(/\d\d:\d\d:\d\d\.\d{3}/);

        const html = await page.content();
        expect(html).not.toContain(TOKEN);
        expect(html).not.toContain("skyfall");
        await page.screenshot({ path: join(SHOTS, `dashboard-${width}.png`), fullPage: true });
      }
      expect(elsewhere).toEqual([]);
    }, 90_000);

    it("with script on: the Content-Security-Policy lets the page's own style and refresh script run, and nothing is refused", async () => {
      const page = await (await openBrowser({ token: TOKEN, width: 1280, height: 1000, script: true })).newPage();
      const complaints: string[] = [];
      page.on("console", (message) => void (message.type() === "error" && complaints.push(message.text())));
      page.on("pageerror", (error) => void complaints.push(error.message));
      await page.goto(`${shims[0]!.url}/_shim/dashboard`);
      await expect(page.evaluate<string>("getComputedStyle(document.body).backgroundColor")).resolves.toBe("rgb(249, 250, 251)");
      // An inline script the policy did not allow would be refused, and said so on the console.
      await expect(page.evaluate<number>("document.scripts.length")).resolves.toBe(1);
      expect(complaints).toEqual([]);
    });
  },
);
