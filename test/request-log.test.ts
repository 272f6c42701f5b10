import { describe, expect, it } from "vitest";
import { createLogger } from "../src/observability/log.js";
import { V2Client } from "../src/v2/client.js";
import { Pacer } from "../src/v2/pacer.js";
import { createSandbox } from "../src/v2/sandbox.js";
import { inProcessTransport } from "../src/v2/transport.js";
import { inProcessApp } from "./support/app.js";
import { startFakeV2 } from "./support/fake-v2.js";
import { orderRequest, sendInProcess } from "./support/http-files.js";
import { inProcessShim } from "./support/shim.js";

const seedRequest = orderRequest();
const SECRETS = ["skyfall", "MDAxMDA3OnNreWZhbGw=", "authorization", "Authorization"];

describe("the request log", () => {
  it("writes one line per request with its id, account, status, v2 order, alternative_order_id and v2 latency", async () => {
    const v2 = await startFakeV2();
    const shim = await inProcessShim({ DIGICERT_API_URL: v2.url });
    const answer = await sendInProcess(shim, seedRequest);
    const lines = shim.logs().filter((line) => line.msg === "request");
    expect(lines).toHaveLength(1);
    const sent = JSON.parse(v2.requests[0]!.body) as { alternative_order_id: string };
    expect(lines[0]).toMatchObject({
      req_id: answer.headers["x-request-id"],
      method: "POST",
      path: "/order/code",
      account_id: "001007",
      status: 201,
      v2_status: 201,
      v2_order_id: JSON.parse(answer.text).order_id,
      alternative_order_id: sent.alternative_order_id,
      v2_latency_ms: expect.any(Number),
      user_agent: "MyAPIConsumer/0.42",
    });
    for (const secret of SECRETS) expect(shim.rawLogs.join("\n")).not.toContain(secret);
  });

  it("gives every request a fresh req_id, and keeps the client's X-Request-Id as client_request_id", async () => {
    const shim = await inProcessShim();
    const sent = { ...seedRequest, headers: [...seedRequest.headers, ["X-Request-Id", "retry-1"] as [string, string]] };
    const answers = [await sendInProcess(shim, sent), await sendInProcess(shim, sent)];
    const lines = shim.logs().filter((line) => line.msg === "request");
    expect(lines.map((line) => line.client_request_id)).toEqual(["retry-1", "retry-1"]);
    expect(lines.map((line) => line.req_id)).toEqual(answers.map((a) => a.headers["x-request-id"]));
    expect(new Set(lines.map((line) => line.req_id)).size).toBe(2);
    expect(lines.map((line) => line.req_id)).not.toContain("retry-1");
  });

  it("names the v1 error codes of a refused request", async () => {
    const shim = await inProcessShim();
    await sendInProcess(shim, { ...seedRequest, headers: seedRequest.headers.filter(([h]) => h !== "Content-Length"), body: "{}" });
    const [line] = shim.logs().filter((l) => l.msg === "request");
    expect(line).toMatchObject({ status: 400, account_id: "001007", errors: expect.arrayContaining(["required_param:validity"]) });
    expect(line).not.toHaveProperty("alternative_order_id");
  });
});

describe("an unexpected failure", () => {
  it("answers a v1 500 and logs the failure at error level, without the key", async () => {
    class BrokenClient extends V2Client {
      override createOrder(): never {
        throw new Error("boom");
      }
    }
    const lines: string[] = [];
    const logger = createLogger("info", { write: (line: string) => void lines.push(line) });
    const { app } = await inProcessApp({ logger, v2: new BrokenClient(inProcessTransport(createSandbox().app), new Pacer([])) });
    const response = await app.request("/order/code", {
      method: "POST",
      headers: Object.fromEntries(seedRequest.headers),
      body: seedRequest.body,
    });
    expect(response.status).toBe(500);
    expect(response.headers.get("content-type")).toBe("application/vnd.digicert.error+json");
    expect(await response.json()).toEqual({
      errors: [{ code: "internal_error", description: "The service failed unexpectedly; the request was logged." }],
    });
    const failure = lines.map((l) => JSON.parse(l)).find((l) => l.level === 50);
    expect(failure).toMatchObject({ msg: "unexpected failure", err: { message: "boom" } });
    for (const secret of SECRETS) expect(lines.join("\n")).not.toContain(secret);
  });
});
