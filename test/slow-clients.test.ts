import { request } from "undici";
import { describe, expect, it } from "vitest";
import { eventually } from "./support/eventually.js";
import { orderRequest } from "./support/http-files.js";
import { exchange } from "./support/raw-http.js";
import { startShim } from "./support/shim.js";

// Node's own request timeouts, as the shim sets them: only a real socket has them.
const seed = orderRequest();
const authorization = seed.headers.find(([name]) => name === "Authorization")![1];
const head = `POST /order/code HTTP/1.1\r\nHost: x\r\nAuthorization: ${authorization}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(seed.body)}\r\n\r\n`;
const TIMEOUTS = { SHIM_HEADERS_TIMEOUT_MS: "300", SHIM_REQUEST_TIMEOUT_MS: "600" };

describe("slow clients", () => {
  it("are cut off when their headers take longer than SHIM_HEADERS_TIMEOUT_MS", async () => {
    const shim = await startShim(TIMEOUTS);
    const trickle = ["POST /order/code HTTP/1.1\r\n", ...Array.from({ length: 60 }, (_, i) => `X-Slow-${i}: a\r\n`)];
    const answer = await exchange(Number(new URL(shim.url).port), trickle, 100);
    expect(answer).toMatch(/^HTTP\/1\.1 408/);
  });

  it("are cut off when their body takes longer than SHIM_REQUEST_TIMEOUT_MS, and recorded as the 408 they got, never as a 500 or an alert", async () => {
    const shim = await startShim(TIMEOUTS);
    const answer = await exchange(Number(new URL(shim.url).port), [head, ...seed.body.split("\n").map((line) => `${line}\n`)], 150);
    expect(answer).toMatch(/^HTTP\/1\.1 408/);
    expect(shim.sandbox!.orders()).toEqual([]);
    await eventually("the request line", () =>
      expect(shim.logs().filter((line) => line.msg === "request")).toMatchObject([{ level: 30, path: "/order/code", status: 408 }]),
    );
    expect(shim.logs().filter((line) => (line.level as number) >= 50)).toEqual([]);
    expect(await (await request(`${shim.url}/metrics`)).body.text()).not.toMatch(/shim_requests_total\{[^}]*status="500"/);
  });
});
