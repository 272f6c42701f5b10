import { connect } from "node:net";
import { request } from "undici";
import { describe, expect, it } from "vitest";
import { eventually } from "./support/eventually.js";
import { startFakeV2 } from "./support/fake-v2.js";
import { hold } from "./support/hold.js";
import { orderRequest, sendHttpMessage } from "./support/http-files.js";
import { spawnShim } from "./support/process.js";

/** Resolves with the error code of a new connection to `port`, or "connected". */
const connectOutcome = (port: number) =>
  new Promise<string>((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve("connected");
    });
    socket.once("error", (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
  });

/**
 * New connections to `port` refused, while v2 still holds the orders in flight. The
 * draining line is written just before the listener closes: the test may read it first.
 */
const refusesConnections = (port: number) =>
  eventually("new connections refused", async () => expect(await connectOutcome(port)).toBe("ECONNREFUSED"));

describe("SIGTERM under load (node --max-semi-space-size=8 dist/shim.mjs, as the README starts it)", () => {
  it("answers /readyz 503 draining and still serves through SHIM_SHUTDOWN_GRACE_MS, then stops taking connections and answers every order in flight", async () => {
    const IN_FLIGHT = 40;
    const fake = await startFakeV2();
    // v2 holds every order until the test lets them go, so all of them are in flight through the grace and the drain.
    const { released, release } = hold();
    fake.script(...Array.from({ length: IN_FLIGHT }, () => ({ until: released })));
    const shim = spawnShim({ DIGICERT_API_URL: fake.url, SHIM_SHUTDOWN_GRACE_MS: "5000" });
    const port = await shim.listening;
    const url = `http://127.0.0.1:${port}`;
    const answers = Promise.all(Array.from({ length: IN_FLIGHT }, () => sendHttpMessage(url, orderRequest())));
    await eventually("the orders at v2", () => fake.requests.length === IN_FLIGHT);

    shim.child.kill("SIGTERM");
    await shim.logged(/"grace_ms":5000[^\n]*"msg":"not ready/);
    // The grace: probes see the drain coming, and a request routed before the endpoint is removed is served.
    const ready = await request(`${url}/readyz`, { reset: true });
    expect([ready.statusCode, await ready.body.json()]).toEqual([503, { status: "draining" }]);
    const routedLate = await sendHttpMessage(url, orderRequest());
    expect(routedLate.status).toBe(201);

    // Then the drain: no new connection is taken, and the orders in flight are still answered.
    await shim.logged(/"in_flight":40[^\n]*"msg":"draining/);
    await refusesConnections(port);
    release();
    const finished = await answers;
    expect(finished.map((a) => a.status)).toEqual(Array(IN_FLIGHT).fill(201));
    expect(fake.sandbox.orders()).toHaveLength(IN_FLIGHT + 1);
    expect(await shim.exited).toBe(0);
    expect(shim.stdout()).toContain('"msg":"stopped"');
  });

  it("SIGINT (a person's Ctrl-C) skips the grace: it stops taking connections at once", async () => {
    const fake = await startFakeV2();
    const { released, release } = hold();
    fake.script({ until: released });
    const shim = spawnShim({ DIGICERT_API_URL: fake.url, SHIM_SHUTDOWN_GRACE_MS: "5000" });
    const port = await shim.listening;
    const answer = sendHttpMessage(`http://127.0.0.1:${port}`, orderRequest());
    await eventually("the order at v2", () => fake.requests.length === 1);
    shim.child.kill("SIGINT");
    await shim.logged(/"in_flight":1[^\n]*"msg":"draining/);
    expect(shim.stdout()).not.toContain("not ready");
    await refusesConnections(port);
    release();
    expect((await answer).status).toBe(201);
    expect(await shim.exited).toBe(0);
  });
});
