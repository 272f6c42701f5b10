import { describe, expect, it } from "vitest";
import { SEED_FIELDS } from "../../test/support/seed-order.js";
import { DEFAULT_PLATFORM_TABLES } from "../contract/platforms.js";
import { makeV1OrderSchema } from "../contract/v1-order.js";
import { parseFields } from "../mapping/v1-fields.js";
import { keyedAlternativeOrderId, orderFingerprint, orderingIdentity } from "./fingerprint.js";

const schema = makeV1OrderSchema(DEFAULT_PLATFORM_TABLES);
const SECRET = "a-secret-of-at-least-thirty-two-characters";
const identity = orderingIdentity("account", "001007", "unused");
const fingerprintOf = (fields: Record<string, unknown>, who = identity) => orderFingerprint(SECRET, "window", who, schema.parse(fields));

describe("an order's fingerprint", () => {
  it('is the same for the same order however the client wrote it: JSON or XML, 1 or "1", TRUE or true, US or us, FL or Florida', () => {
    const xml = `<order>${Object.entries(SEED_FIELDS)
      .map(([k, v]) => `<${k}>${v}</${k}>`)
      .join("")}</order>`;
    const same = [
      SEED_FIELDS,
      parseFields("xml", xml),
      { ...SEED_FIELDS, validity: 1, platform: 2 },
      { ...SEED_FIELDS, ev: "TRUE", cs_provisioning_method: "CLIENT_APP" },
      { ...SEED_FIELDS, org_country: "us", org_state: "Florida" },
      { ...SEED_FIELDS, org_name: "  My Company  ", unknown_field: "ignored" },
    ];
    expect(new Set(same.map((fields) => fingerprintOf(fields))).size).toBe(1);
  });

  it("differs for orders that differ in any field, even those the translation drops or folds into one v2 value", () => {
    const different = [
      SEED_FIELDS,
      // Two EV tokens that both become platform -1.
      { ...SEED_FIELDS, platform: "3" },
      // Ship fields without ship_token: dropped by the translation, still what the client sent.
      { ...SEED_FIELDS, ship_name: "Dock", ship_addr1: "1 Pier", ship_city: "Tampa", ship_state: "FL", ship_zip: "1", ship_country: "US" },
      { ...SEED_FIELDS, cs_ship_method: "expedited" },
      { ...SEED_FIELDS, org_addr2: "Suite 5" },
      { ...SEED_FIELDS, org_name: "my company" },
    ];
    expect(new Set(different.map((fields) => fingerprintOf(fields))).size).toBe(different.length);
  });

  it("includes who orders: another account, or in passthrough another key, is another order", () => {
    const passthrough = (key: string) => orderingIdentity("key", "001007", key);
    const prints = [
      fingerprintOf(SEED_FIELDS),
      fingerprintOf(SEED_FIELDS, orderingIdentity("account", "002008", "unused")),
      fingerprintOf(SEED_FIELDS, passthrough("key-a")),
      fingerprintOf(SEED_FIELDS, passthrough("key-b")),
    ];
    expect(new Set(prints).size).toBe(prints.length);
    // Accounts mode: the account's key is the operator's, and the account alone is who orders.
    expect(orderingIdentity("account", "001007", "key-a")).toBe(orderingIdentity("account", "001007", "key-b"));
  });

  it("holds no key and no order field, and the window's never matches an Idempotency-Key's", () => {
    const identityOfKey = orderingIdentity("key", "001007", "skyfall-key-0123456789");
    expect(identityOfKey).not.toContain("skyfall");
    const order = schema.parse(SEED_FIELDS);
    expect(orderFingerprint(SECRET, "window", identity, order)).not.toBe(orderFingerprint(SECRET, "key", identity, order));
    expect(orderFingerprint(SECRET, "window", identity, order)).toMatch(/^[\w-]{43}$/);
    expect(orderFingerprint("another-secret-of-at-least-thirty-two", "window", identity, order)).not.toBe(
      orderFingerprint(SECRET, "window", identity, order),
    );
  });
});

describe("an Idempotency-Key's alternative_order_id", () => {
  it("is the same for one identity and key on any replica sharing the secret, another for another credential", () => {
    const a = orderingIdentity("key", "001007", "key-a");
    expect(keyedAlternativeOrderId(SECRET, a, "k1")).toBe(keyedAlternativeOrderId(SECRET, a, "k1"));
    expect(keyedAlternativeOrderId(SECRET, a, "k1")).toMatch(/^v1shim[0-9a-f]{32}$/);
    expect(keyedAlternativeOrderId(SECRET, a, "k1")).not.toBe(
      keyedAlternativeOrderId(SECRET, orderingIdentity("key", "001007", "key-b"), "k1"),
    );
    expect(keyedAlternativeOrderId(SECRET, a, "k1")).not.toBe(keyedAlternativeOrderId(SECRET, a, "k2"));
  });
});
