import { isDeepStrictEqual } from "node:util";
import { request } from "undici";

// Before the peer is measured, it must be doing the shim's job: the same orders
// are sent to both, and each must give the same status, the same v1 error codes,
// and the same request to v2 (path, key, payload), alternative_order_id aside.
// The cases stay within what the peer keeps of the shim's rules (docs/performance.md, "The nginx + njs peer").

const ALTERNATIVE_ORDER_ID = /^v1shim[0-9a-f]{32}$/;

/**
 * @typedef {{ name: string, body: string, headers?: Record<string, string | undefined> }} Case
 * @typedef {{ status: number, codes: string[] | null, orders: { path: string, devkey: unknown, contentType: unknown, body: unknown }[] }} Outcome
 */

/** @param {string} seedBody the seed's JSON order @returns {Case[]} */
function cases(seedBody) {
  const seed = JSON.parse(seedBody);
  /** @param {string} name @param {Record<string, unknown>} changes */
  const changed = (name, changes) => ({ name, body: JSON.stringify({ ...seed, ...changes }) });
  const ship = {
    ship_name: "Ann Lee",
    ship_addr1: "1 Bay St",
    ship_city: "Toronto",
    ship_state: "on",
    ship_zip: "M5J 2N8",
    ship_country: "CA",
  };
  return [
    { name: "the seed order", body: seedBody },
    changed("code signing on a software platform, with org_unit, org_addr2 and an extension, numbers as numbers", {
      ev: false,
      platform: 51,
      validity: 3,
      org_unit: "Engineering",
      org_addr2: "Suite 5",
      org_contact_telephone_ext: "12",
    }),
    changed("a token shipped to an address of its own in Canada, values in other cases", {
      platform: undefined,
      cs_provisioning_method: "Ship_Token",
      cs_ship_method: "EXPEDITED",
      ...ship,
    }),
    changed("a token shipped to the organization", { platform: "", cs_provisioning_method: "ship_token", ev: "TRUE" }),
    changed("whitespace, empty values and nulls", { org_name: "  My Company  ", org_addr2: "   ", org_unit: null, org_state: "fl" }),
    { name: "no fields at all", body: "{}" },
    changed("wrong values", {
      validity: "4",
      platform: "x",
      org_country: "zz",
      org_name: "n".repeat(65),
      ev: "maybe",
      cs_ship_method: "fast",
      org_contact_email: "not-an-email",
      telephone: "5".repeat(33),
    }),
    changed("an EV order on a software platform", { platform: "51" }),
    changed("fields as a list and an object", { org_name: ["a", "b"], telephone: { n: 1 } }),
    changed("a token shipped with only part of an address", {
      cs_provisioning_method: "ship_token",
      ship_name: "Ann Lee",
      ship_addr2: "Unit 2",
    }),
    { name: "no credentials", body: seedBody, headers: { Authorization: undefined } },
    { name: "not JSON", body: "{" },
  ];
}

/**
 * @param {import("./fake-v2.mjs").FakeV2} fake @param {string} url
 * @param {Record<string, string>} headers @param {Case} order @returns {Promise<Outcome>}
 */
async function send(fake, url, headers, order) {
  const sent = Object.fromEntries(Object.entries({ ...headers, ...order.headers }).filter(([, value]) => value !== undefined));
  const response = await request(`${url}/order/code`, { method: "POST", headers: sent, body: order.body });
  const text = await response.body.text();
  let answer;
  try {
    answer = JSON.parse(text);
  } catch {
    answer = null;
  }
  const codes = Array.isArray(answer?.errors) ? answer.errors.map((/** @type {{ code: unknown }} */ e) => e.code) : null;
  const orders = fake.takeRecorded().map(({ path, headers: v2Headers, body }) => {
    const payload = JSON.parse(body);
    const altId = String(payload.alternative_order_id);
    return {
      path,
      devkey: v2Headers["x-dc-devkey"],
      contentType: v2Headers["content-type"],
      body: { ...payload, alternative_order_id: ALTERNATIVE_ORDER_ID.test(altId) ? "<v1shim and 32 hex digits>" : altId },
    };
  });
  return { status: response.statusCode, codes, orders };
}

/**
 * Sends every case to the shim and to the peer; the differences found, none when the peer does the same job.
 * @param {{ fake: import("./fake-v2.mjs").FakeV2, shimUrl: string, peerUrl: string, request: { headers: Record<string, string>, body: string } }} options
 * @returns {Promise<{ cases: number, differences: string[] }>}
 */
export async function comparePeer({ fake, shimUrl, peerUrl, request: seed }) {
  const all = cases(seed.body);
  /** @type {string[]} */
  const differences = [];
  fake.record(true);
  try {
    for (const [i, order] of all.entries()) {
      // Each case from an account of its own: two cases that are one order to the shim (the same order
      // written differently) would otherwise be one order, the second a client's retry inside the window.
      const headers = { ...seed.headers, Authorization: `Basic ${Buffer.from(`peer${i}:skyfall`).toString("base64")}` };
      const shim = await send(fake, shimUrl, headers, order);
      const peer = await send(fake, peerUrl, headers, order);
      if (!isDeepStrictEqual(shim, peer)) {
        differences.push(`${order.name}: the shim gave ${JSON.stringify(shim)}, the peer ${JSON.stringify(peer)}`);
      }
    }
  } finally {
    fake.record(false);
  }
  return { cases: all.length, differences };
}
