import { request } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { orderRequest } from "./support/http-files.js";
import { type RunningShim, startShim } from "./support/shim.js";

// Through a real Node server, request headers are read from Node's own parsed
// headers (src/http/request-header.ts); what the shim reads must stay what the
// web Headers of the request say, where the two differ.

const AUTH = orderRequest().headers.find(([name]) => name === "Authorization")![1];

let shim: RunningShim;
beforeAll(async () => {
  shim = await startShim();
});
afterAll(async () => {
  await shim.close();
});

describe("request headers read from Node's request", () => {
  it("join a repeated Content-Type as the web Headers do, where Node keeps only the first", async () => {
    const answer = await request(`${shim.url}/order/code`, {
      method: "POST",
      headers: ["Authorization", AUTH, "Accept", "application/json", "Content-Type", "application/json", "Content-Type", "text/plain"],
      body: orderRequest().body,
    });
    expect(answer.statusCode).toBe(415);
    expect(JSON.parse(await answer.body.text())).toMatchObject({ errors: [{ code: "unsupported_media_type" }] });
  });

  it("are those of the request as re-dispatched by X-HTTP-Method-Override, which drops the POST's Content-Type", async () => {
    const answer = await request(`${shim.url}/order/999999`, {
      method: "POST",
      headers: { Authorization: AUTH, "X-HTTP-Method-Override": "GET", "Content-Type": "application/xml" },
      body: "<order/>",
    });
    await answer.body.dump();
    // No Accept: the format follows the body's, and the GET it became has none, so JSON.
    expect(answer.headers["content-type"]).toMatch(/json$/);
  });
});
