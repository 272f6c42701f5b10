import { beforeAll, describe, expect, it } from "vitest";
import { hashFast, writeAccountsFile } from "./support/accounts.js";
import { eventually } from "./support/eventually.js";
import { type ScriptedAnswer, startFakeV2 } from "./support/fake-v2.js";
import { basicAuth, type HttpMessage, orderRequest, sendInProcess } from "./support/http-files.js";
import { type InProcessShim, inProcessShim } from "./support/shim.js";

// The reconciler settles the ledger's unknown orders by itself, in accounts mode:
// an order whose answer was lost and whose look-ups all failed is looked up
// again later, and recorded as v2 says.

const TOKEN = "an-admin-token-of-the-test";
const ENV = { DC_KEY_ACME: "v2-key-of-acme" };
const SETTINGS = {
  SHIM_ADMIN_TOKEN: TOKEN,
  // No v2 here hangs: time for a busy machine, never waited out.
  SHIM_UPSTREAM_TIMEOUT_MS: "5000",
  SHIM_DEADLINE_MS: "10000",
  SHIM_RETRY_BASE_MS: "20",
  SHIM_RETRY_AFTER_CAP_MS: "100",
  SHIM_RECONCILE_INTERVAL_MS: "100",
};
const LOOKUP_FAILS: ScriptedAnswer = { for: "lookup", status: 500, text: "oops" };
let accountsFile: string;

beforeAll(async () => {
  accountsFile = writeAccountsFile({
    accounts: [{ account_id: "001007", key_hash: await hashFast("skyfall"), digicert_api_key_env: "DC_KEY_ACME" }],
  });
});

const order = (): HttpMessage => ({
  ...orderRequest(),
  headers: orderRequest().headers.map(([name, value]): [string, string] => [
    name,
    name === "Authorization" ? basicAuth("001007", "skyfall") : value,
  ]),
});

async function ledger(shim: InProcessShim): Promise<{ alternative_order_id: string; state: string; v2_order_id: number | null }[]> {
  const answer = await shim.adminRequest("/_shim/orders", { headers: { Authorization: `Bearer ${TOKEN}` } });
  return JSON.parse(await answer.text()).orders;
}

describe("the reconciler", () => {
  it("records an unknown order that v2 made as created, with its order id, without any retry", async () => {
    const fake = await startFakeV2();
    const shim = await inProcessShim({ DIGICERT_API_URL: fake.url, SHIM_ACCOUNTS_FILE: accountsFile, ...ENV, ...SETTINGS });
    // v2 makes the order and the answer is lost; every look-up within the order's attempts fails.
    fake.script({ create: true, drop: true }, LOOKUP_FAILS, LOOKUP_FAILS, LOOKUP_FAILS);
    expect((await sendInProcess(shim, order())).status).toBe(503);
    const made = fake.sandbox.orders()[0]!;

    // The reconciler works in the background.
    const settled = await eventually("the ledger's order created", async () => {
      const orders = await ledger(shim);
      return orders[0]?.state === "created" && orders;
    });
    expect(settled).toEqual([
      expect.objectContaining({ alternative_order_id: made.body.alternative_order_id, state: "created", v2_order_id: made.id }),
    ]);
    expect(fake.sandbox.orders()).toHaveLength(1);
    expect(fake.requests.filter((r) => r.method === "POST")).toHaveLength(1);
    // It looked up with the account's own v2 key, and the log says what it found.
    expect(fake.requests.filter((r) => r.path.startsWith("/order/alternate/")).at(-1)?.headers["x-dc-devkey"]).toBe("v2-key-of-acme");
    expect(shim.logs()).toContainEqual(
      expect.objectContaining({ msg: expect.stringMatching(/^reconciled: v2 holds this order/), v2_order_id: made.id }),
    );
  });

  it("records an unknown order that v2 never made as failed", async () => {
    const fake = await startFakeV2();
    const shim = await inProcessShim({ DIGICERT_API_URL: fake.url, SHIM_ACCOUNTS_FILE: accountsFile, ...ENV, ...SETTINGS });
    // The connection drops before v2 acts; the look-ups fail, so the outcome is unknown.
    fake.script({ drop: true }, LOOKUP_FAILS, LOOKUP_FAILS, LOOKUP_FAILS);
    expect((await sendInProcess(shim, order())).status).toBe(503);
    const settled = await eventually("the ledger's order failed", async () => {
      const orders = await ledger(shim);
      return orders[0]?.state === "failed" && orders;
    });
    expect(settled).toEqual([expect.objectContaining({ state: "failed", v2_order_id: null })]);
    expect(fake.sandbox.orders()).toHaveLength(0);
  });

  it("leaves to an operator, at error level, an unknown order it could not settle in time", async () => {
    const fake = await startFakeV2();
    const shim = await inProcessShim({
      DIGICERT_API_URL: fake.url,
      SHIM_ACCOUNTS_FILE: accountsFile,
      ...ENV,
      ...SETTINGS,
      SHIM_RECONCILE_FOR_MS: "1",
    });
    fake.script({ create: true, drop: true }, LOOKUP_FAILS, LOOKUP_FAILS, LOOKUP_FAILS);
    expect((await sendInProcess(shim, order())).status).toBe(503);
    const alarm = await eventually(
      "the reconciler's alarm",
      () =>
        shim
          .logs()
          .find(
            (line) =>
              line.msg ===
              "the reconciler could not settle this order in time: v2 may hold an order with this alternative_order_id; reconcile",
          ) ?? false,
    );
    expect(alarm).toMatchObject({
      level: 50,
      alternative_order_id: fake.sandbox.orders()[0]!.body.alternative_order_id,
      account_id: "001007",
    });
    expect((await ledger(shim))[0]?.state).toBe("unknown");
  });
});
