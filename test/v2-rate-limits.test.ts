import { describe, expect, it } from "vitest";
import { loadConfig } from "../src/config/config.js";
import { inProcessApp } from "./support/app.js";
import { startFakeV2 } from "./support/fake-v2.js";
import { basicAuth, orderRequest } from "./support/http-files.js";

// The pacer as the composition root wires it from SHIM_V2_RATE_LIMITS, the legacy side in process
// (a socket is not the point), v2 a recording fake on loopback. The spacing of calls within a window
// is src/v2/pacer.test.ts's, on a clock it sets, and across replicas replicas.process.test.ts's.
const seed = orderRequest();

/** The shim in process with `env` as its settings, and a way to send it the seed's order with `authorization`. */
async function shimWith(env: Record<string, string>) {
  const { app } = await inProcessApp({ config: loadConfig({ SHIM_STATE: "memory", SHIM_RETRY_WINDOW_MS: "0", ...env }) });
  return async (authorization = basicAuth("001007", "skyfall")) => {
    const headers = { ...Object.fromEntries(seed.headers.filter(([n]) => n !== "Content-Length")), Authorization: authorization };
    const answer = await app.request("/order/code", { method: "POST", headers, body: seed.body });
    return { status: answer.status, retryAfter: answer.headers.get("retry-after"), text: await answer.text() };
  };
}

describe("pacing toward v2", () => {
  it("answers 503 rate_limited with Retry-After rather than break the key's v2 limit", async () => {
    const fake = await startFakeV2();
    const order = await shimWith({ DIGICERT_API_URL: fake.url, SHIM_V2_RATE_LIMITS: "3/10s", SHIM_PACE_MAX_WAIT_MS: "0" });
    const answers = await Promise.all(Array.from({ length: 5 }, () => order()));
    expect(answers.map((a) => a.status).sort()).toEqual([201, 201, 201, 503, 503]);
    const limited = answers.filter((a) => a.status === 503);
    for (const answer of limited) {
      expect(JSON.parse(answer.text).errors[0].code).toBe("rate_limited");
      expect(Number(answer.retryAfter)).toBeGreaterThanOrEqual(9);
    }
    expect(fake.requests.filter((r) => r.method === "POST")).toHaveLength(3);
  });

  it("waits for a slot that frees within SHIM_PACE_MAX_WAIT_MS rather than refuse", async () => {
    const fake = await startFakeV2();
    // Six calls at two per 300 ms: the last slot is 600 ms away, well inside the wait allowed.
    const order = await shimWith({ DIGICERT_API_URL: fake.url, SHIM_V2_RATE_LIMITS: "2/300ms", SHIM_PACE_MAX_WAIT_MS: "5000" });
    const answers = await Promise.all(Array.from({ length: 6 }, () => order()));
    expect(answers.map((a) => a.status)).toEqual(Array(6).fill(201));
    expect(fake.sandbox.orders()).toHaveLength(6);
  });
});

describe("a 429 from v2 that says not how long to wait", () => {
  // A minute: no burst on a busy machine outlasts the hold it tests.
  it("holds the key back for the rest of its shortest window: v2 sees nothing more for that key, other keys go on", async () => {
    const fake = await startFakeV2();
    const order = await shimWith({ DIGICERT_API_URL: fake.url, SHIM_V2_RATE_LIMITS: "100/1m,1000/3m", SHIM_RETRY_BASE_MS: "1" });
    expect((await order()).status).toBe(201);
    fake.script({
      status: 429,
      body: { errors: [{ code: "request_limit_exceeded", message: "Service unavailable, please limit request volume" }] },
    });
    const limited = await order();
    const seen = fake.requests.length;
    const burst = await Promise.all(Array.from({ length: 10 }, () => order()));
    for (const answer of [limited, ...burst]) {
      expect(answer.status).toBe(503);
      expect(JSON.parse(answer.text).errors[0].code).toBe("rate_limited");
      expect(Number(answer.retryAfter)).toBeGreaterThanOrEqual(3);
    }
    // The 429'd order was not even looked up again: the look-up would have met the same limit.
    expect(fake.requests.map((r) => r.method)).toEqual(["POST", "POST"]);
    expect(fake.requests).toHaveLength(seen);
    expect((await order(basicAuth("002008", "goldfinger"))).status).toBe(201);
  });
});
