import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { describe, expect, it, onTestFinished } from "vitest";
import { capturedRun } from "./support/captured-run.js";
import { runCli } from "./support/cli.js";
import { tempDir, writeTempFile } from "./support/temp-files.js";

// A capture's HAR opened by an HTTP tool that knows nothing of the shim: Playwright
// serving Debian's Chromium from it (routeFromHAR), off the network. Skipped, saying
// so, only where Chromium cannot be found, as the dashboard's browser test is.

const CHROMIUM = "/usr/bin/chromium";
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) {
  console.error(
    `\n*** SKIPPED: the capture HAR's browser test: no Chromium at ${CHROMIUM} (apt-get install -y chromium; .ci/run does). ***\n`,
  );
}

describe.skipIf(!haveChromium)("a capture exported as HAR, in Chromium", () => {
  it("serves each legacy answer and each v2 answer from the HAR, as recorded", async () => {
    const dir = tempDir("har-browser-");
    const { records } = await capturedRun(dir);
    const exported = await runCli(["capture-to-har", dir]);
    expect(exported.code).toBe(0);
    const har = writeTempFile("capture.har", exported.stdout);
    const details = records.find((r) => r.request.method === "GET")!;
    const read = details.v2[0]!;

    const context = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), "shim-chromium-")), {
      executablePath: CHROMIUM,
      headless: true,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"],
    });
    onTestFinished(() => context.close());
    // Whatever the HAR does not hold is refused: nothing leaves the machine.
    await context.routeFromHAR(har, { notFound: "abort" });
    const page = await context.newPage();
    const legacy = await page.goto(`http://v1-shim.invalid${details.request.target}`);
    expect(legacy?.status()).toBe(200);
    expect(JSON.parse(await legacy!.text())).toEqual(JSON.parse(details.answer.body));
    const v2 = await page.goto(`${details.shim.v2}${read.path}`);
    expect(v2?.status()).toBe(200);
    expect(JSON.parse(await v2!.text())).toEqual("body" in read.answer ? read.answer.body : undefined);
  }, 60_000);
});
