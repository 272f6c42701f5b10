import { request } from "undici";
import { describe, expect, it } from "vitest";
import { startFakeV2 } from "./support/fake-v2.js";
import { orderRequest, sendHttpMessage } from "./support/http-files.js";
import { spawnShim } from "./support/process.js";

describe("SIGTERM under load (node --max-semi-space-size=8 dist/shim.mjs, as the README starts it)", () => {
  it("stops taking connections, lets every order in flight finish, then exits 0", async () => {
    const IN_FLIGHT = 40;
    const fake = await startFakeV2();
    // v2 takes half a second per order, so all of them are in flight when the signal comes.
    fake.script(...Array.from({ length: IN_FLIGHT }, () => ({ delayMs: 500 })));
    const shim = spawnShim({ DIGICERT_API_URL: fake.url });
    try {
      const port = await shim.listening;
      const url = `http://127.0.0.1:${port}`;
      const answers = Promise.all(Array.from({ length: IN_FLIGHT }, () => sendHttpMessage(url, orderRequest())));
      while (fake.requests.length < IN_FLIGHT) await new Promise((resolve) => setTimeout(resolve, 10));

      shim.child.kill("SIGTERM");
      await new Promise((resolve) => setTimeout(resolve, 100));
      await expect(request(`${url}/healthz`)).rejects.toThrow(/ECONNREFUSED/);

      const finished = await answers;
      expect(finished.map((a) => a.status)).toEqual(Array(IN_FLIGHT).fill(201));
      expect(fake.sandbox.orders()).toHaveLength(IN_FLIGHT);
      expect(await shim.exited).toBe(0);
      expect(shim.stdout()).toMatch(/"in_flight":40[^\n]*"msg":"draining/);
      expect(shim.stdout()).toContain('"msg":"stopped"');
    } finally {
      shim.child.kill("SIGKILL");
      await fake.close();
    }
  });
});
