import { describe, expect, it } from "vitest";
import { orderRequest, sendHttpMessage } from "./support/http-files.js";
import { freePort } from "./support/redis.js";
import { startShim } from "./support/shim.js";

const readyz = async (url: string) => {
  const answer = await fetch(`${url}/readyz`);
  return [answer.status, await answer.json()];
};

// /readyz through a drain: shutdown.test.ts.
describe("GET /readyz", () => {
  it("answers 503 state_unavailable while SHIM_STATE_REQUIRED=true and the store is down: every order would be refused", async () => {
    const redis = `redis://127.0.0.1:${await freePort()}`;
    const required = await startShim({ SHIM_STATE: redis, SHIM_STATE_REQUIRED: "true" });
    expect(await readyz(required.url)).toEqual([503, { status: "state_unavailable" }]);
    expect((await sendHttpMessage(required.url, orderRequest())).text).toContain("state_unavailable");
    // Fail open: the shim serves without its store, so it is ready.
    const open = await startShim({ SHIM_STATE: redis, SHIM_STATE_REQUIRED: "false" });
    expect(await readyz(open.url)).toEqual([200, { status: "ready" }]);
    expect((await sendHttpMessage(open.url, orderRequest())).status).toBe(201);
  });
});
