import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { startFakeV2 } from "./support/fake-v2.js";
import { parseHttpMessage, sendHttpMessage } from "./support/http-files.js";
import { spawnShim } from "./support/process.js";

// The seed's sample request, headers and all, exactly as the legacy page prints it.
const seedRequest = parseHttpMessage(
  readFileSync(new URL("./fixtures/order-code/seed-sample-json/v1-request.http", import.meta.url), "utf8"),
);

const spawn = spawnShim;

describe("node dist/shim.mjs (what npm start runs)", () => {
  it("without DIGICERT_API_URL, says loudly that it runs the sandbox and answers the seed's request with 201", async () => {
    const running = spawn({});
    const port = await running.listening;
    expect(running.stderr()).toContain("SANDBOX MODE");
    expect(running.stderr()).toContain("NO REAL ORDERS ARE PLACED");

    const answer = await sendHttpMessage(`http://127.0.0.1:${port}`, seedRequest);
    expect(answer.status).toBe(201);
    expect(answer.headers["content-type"]).toBe("application/vnd.digicert.rest-v1+json");
    expect(JSON.parse(answer.text)).toEqual({ order_id: expect.any(Number) });
  });

  it("with DIGICERT_API_URL, places the order there and does not mention a sandbox", async () => {
    const v2 = await startFakeV2();
    const running = spawn({ DIGICERT_API_URL: v2.url });
    const port = await running.listening;
    const answer = await sendHttpMessage(`http://127.0.0.1:${port}`, seedRequest);
    expect(answer.status).toBe(201);
    expect(v2.requests).toHaveLength(1);
    expect(v2.requests[0]).toMatchObject({
      method: "POST",
      path: "/order/certificate/code_signing_ev",
      headers: { "x-dc-devkey": "skyfall" },
    });
    expect(JSON.parse(answer.text)).toEqual({ order_id: v2.sandbox.orders()[0]!.id });
    expect(running.stderr()).not.toMatch(/sandbox/i);
  });

  it("refuses to start in production without DIGICERT_API_URL, naming it", async () => {
    const running = spawn({ NODE_ENV: "production" });
    expect(await running.exited).toBe(1);
    expect(running.stderr()).toContain("DIGICERT_API_URL is required when NODE_ENV=production");
    expect(running.stdout()).not.toContain("listening");
  });

  it("refuses a bad setting, naming the variable", async () => {
    const running = spawn({ PORT: "eighty" });
    expect(await running.exited).toBe(1);
    expect(running.stderr()).toMatch(/PORT /);
  });
});
