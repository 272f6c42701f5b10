import { describe, expect, it } from "vitest";
import { orderRequest, sendInProcess } from "./support/http-files.js";
import { freePort } from "./support/redis.js";
import { type InProcessShim, inProcessShim } from "./support/shim.js";

const readyz = async (shim: InProcessShim) => {
  const answer = await shim.request("/readyz");
  return [answer.status, await answer.json()];
};

// /readyz through a drain: shutdown.test.ts.
describe("GET /readyz", () => {
  it("answers 503 state_unavailable while SHIM_STATE_REQUIRED=true and the store is down: every order would be refused", async () => {
    const redis = `redis://127.0.0.1:${await freePort()}`;
    const required = await inProcessShim({ SHIM_STATE: redis, SHIM_STATE_REQUIRED: "true" });
    expect(await readyz(required)).toEqual([503, { status: "state_unavailable" }]);
    expect((await sendInProcess(required, orderRequest())).text).toContain("state_unavailable");
    // Fail open: the shim serves without its store, so it is ready.
    const open = await inProcessShim({ SHIM_STATE: redis, SHIM_STATE_REQUIRED: "false" });
    expect(await readyz(open)).toEqual([200, { status: "ready" }]);
    expect((await sendInProcess(open, orderRequest())).status).toBe(201);
  });
});
