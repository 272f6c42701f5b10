import { connect } from "node:net";
import { describe, expect, it } from "vitest";
import { eventually } from "./support/eventually.js";
import { orderRequest } from "./support/http-files.js";
import { sampleValue, scrape } from "./support/metrics.js";
import { startShim } from "./support/shim.js";

// A hang-up is a socket's: it is tested over one.
const seed = orderRequest();
const authorization = seed.headers.find(([name]) => name === "Authorization")![1];
const head = `POST /order/code HTTP/1.1\r\nHost: x\r\nAuthorization: ${authorization}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(seed.body)}\r\n\r\n`;

describe("a client that hangs up mid-body", () => {
  it("is recorded as 499 at info, never as a 500 or an alert", async () => {
    const shim = await startShim();
    const socket = connect(Number(new URL(shim.url).port), "127.0.0.1", () => socket.write(`${head}{"validity":`));
    socket.on("error", () => undefined);
    // It hangs up once the shim is reading its body, not before.
    await eventually("the upload in flight", async () =>
      expect(sampleValue(await scrape(shim.url), "shim_http_requests_in_flight ")).toBe(1),
    );
    socket.destroy();
    await eventually("the request line", () =>
      expect(shim.logs().filter((line) => line.msg === "request")).toMatchObject([{ level: 30, path: "/order/code", status: 499 }]),
    );
    expect(shim.logs().filter((line) => (line.level as number) >= 50)).toEqual([]);
    expect(await scrape(shim.url)).not.toMatch(/shim_requests_total\{[^}]*status="500"/);
    expect(shim.sandbox!.orders()).toEqual([]);
  });
});
