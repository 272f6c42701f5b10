import { readFileSync } from "node:fs";
import { request } from "undici";
import { describe, expect, it } from "vitest";
import { orderRequest, sendHttpMessage } from "./support/http-files.js";
import { freeLoopbackPort } from "./support/ports.js";
import { START_COMMAND, spawnShim } from "./support/process.js";

const OPERATIONS = readFileSync(new URL("../docs/operations.md", import.meta.url), "utf8");
const PRODUCTION = OPERATIONS.slice(
  OPERATIONS.indexOf("## Production"),
  OPERATIONS.indexOf("\n## ", OPERATIONS.indexOf("## Production") + 1),
);

const spawn = spawnShim;

describe("the production start of docs/operations.md", () => {
  it("builds with npm ci && npm run build, then runs npm start's own command (deploy/'s unit and image too: test/deploy.*.test.ts)", () => {
    expect(PRODUCTION).toContain("npm ci && npm run build");
    expect(PRODUCTION).toContain(` ${START_COMMAND}\n`);
    expect(PRODUCTION).toContain("(#deploying)");
  });

  it("is what the process tests start (test/shutdown.test.ts sends it SIGTERM with orders in flight)", () => {
    const shim = spawn({});
    expect(shim.child.spawnargs.slice(1).join(" ")).toMatch(/^--max-semi-space-size=8 \/.*\/dist\/shim\.mjs$/);
    expect(START_COMMAND).toBe("node --max-semi-space-size=8 dist/shim.mjs");
  });

  it("answers the liveness and readiness probes while v2 cannot be reached, and orders with a v1 error", async () => {
    const port = await freeLoopbackPort();
    const shim = spawn({ NODE_ENV: "production", DIGICERT_API_URL: `http://127.0.0.1:${port}/services/v2`, SHIM_DEADLINE_MS: "2000" });
    const url = `http://127.0.0.1:${await shim.listening}`;
    const order = await sendHttpMessage(url, orderRequest());
    expect(order.status).toBe(503);
    expect(order.text).toContain("upstream_unavailable");
    const health = await request(`${url}/healthz`);
    expect([health.statusCode, await health.body.json()]).toEqual([200, { status: "alive" }]);
    const ready = await request(`${url}/readyz`);
    expect([ready.statusCode, await ready.body.json()]).toEqual([200, { status: "ready" }]);
  });
});
