import { connect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { orderRequest } from "./support/http-files.js";
import { type RunningShim, startShim } from "./support/shim.js";

// Requests that Node or the HTTP adapter would answer themselves, with a bare
// status and no log line, and request targets that name a served path in some
// other spelling: each gets a v1 error and a log line, and none orders.

const seed = orderRequest();
const headers = seed.headers
  .filter(([name]) => name !== "Content-Length")
  .map(([name, value]) => `${name}: ${value}\r\n`)
  .join("");
const order = (target: string, extra = "Host: shim\r\n") =>
  `POST ${target} HTTP/1.1\r\n${extra}${headers}Content-Length: ${Buffer.byteLength(seed.body)}\r\nConnection: close\r\n\r\n${seed.body}`;

let shim: RunningShim;
beforeAll(async () => {
  shim = await startShim();
});
afterAll(async () => {
  await shim.close();
});

/** Sends `text` on a fresh connection: the status and the v1 error code of the answer, if any. */
function exchange(text: string): Promise<{ status: number; code: string | undefined; raw: string }> {
  return new Promise((resolve) => {
    const socket = connect(Number(new URL(shim.url).port), "127.0.0.1", () => socket.write(text));
    let raw = "";
    socket.on("data", (chunk) => (raw += chunk.toString()));
    socket.on("error", () => undefined);
    socket.on("close", () => {
      const body = raw.slice(raw.indexOf("\r\n\r\n") + 4);
      const code = body.startsWith("{") ? (JSON.parse(body) as { errors?: { code: string }[] }).errors?.[0]?.code : undefined;
      resolve({ status: Number(raw.split(" ")[1]), code, raw });
    });
  });
}

const refusalsLogged = () => shim.logs().filter((line) => line.msg === "request refused before the app").length;

describe("requests below the app", () => {
  it.each([
    ["an unreadable Host", "GET /healthz HTTP/1.1\r\nHost: [\r\nConnection: close\r\n\r\n", 400, "malformed_request"],
    ["no Host in HTTP/1.1", "GET /healthz HTTP/1.1\r\nConnection: close\r\n\r\n", 400, "malformed_request"],
    ["a backslash in the path", "GET /order\\code HTTP/1.1\r\nHost: shim\r\nConnection: close\r\n\r\n", 400, "malformed_request"],
    ["OPTIONS *", "OPTIONS * HTTP/1.1\r\nHost: shim\r\nConnection: close\r\n\r\n", 400, "malformed_request"],
    ["CONNECT", "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n", 400, "malformed_request"],
    ["an Expect other than 100-continue", order("/order/code", "Host: shim\r\nExpect: nonsense\r\n"), 417, "expectation_failed"],
  ])("answers %s with a v1 error and a log line, and orders nothing", async (_, text, status, code) => {
    const before = { orders: shim.sandbox!.orders().length, logged: refusalsLogged() };
    const answer = await exchange(text);
    expect(answer).toMatchObject({ status, code });
    expect(answer.raw).toMatch(/\r\nContent-Type: application\/vnd\.digicert\.error\+json\r\n/i);
    expect(refusalsLogged()).toBe(before.logged + 1);
    expect(shim.sandbox!.orders()).toHaveLength(before.orders);
  });

  it("still serves an HTTP/1.0 request without Host, which HTTP/1.0 did not need", async () => {
    expect(await exchange("GET /healthz HTTP/1.0\r\n\r\n")).toMatchObject({ status: 200 });
  });
});

describe("request targets", () => {
  it.each(["/order/code/", "/order/%63ode", "/x/%2e%2e/order/code", "/x/../order/code", "/order/./code", "//order/code", "/healthz/"])(
    "answers %s 404 not_found: a path is compared as it is written",
    async (target) => {
      const before = { orders: shim.sandbox!.orders().length, logged: refusalsLogged() };
      expect(await exchange(order(target))).toMatchObject({ status: 404, code: "not_found" });
      expect(refusalsLogged()).toBe(before.logged + 1);
      expect(shim.sandbox!.orders()).toHaveLength(before.orders);
    },
  );

  it("reads an absolute-form target as its path, whatever its host, and ignores the query", async () => {
    const before = shim.sandbox!.orders().length;
    expect(await exchange(order("http://any.example:8443/order/code"))).toMatchObject({ status: 201 });
    expect(await exchange(order("/order/code?source=legacy"))).toMatchObject({ status: 201 });
    expect(shim.sandbox!.orders()).toHaveLength(before + 2);
  });
});
