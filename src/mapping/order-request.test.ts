import { describe, expect, it } from "vitest";
import { SEED_FIELDS } from "../../test/support/seed-order.js";
import { DEFAULT_PLATFORM_TABLES, type PlatformTables } from "../contract/platforms.js";
import { makeV1OrderSchema, V1_ORDER_FIELDS } from "../contract/v1-order.js";
import { toV2OrderRequest } from "./order-request.js";

const seed = SEED_FIELDS;

const translate = (fields: Record<string, unknown>, platforms: PlatformTables = DEFAULT_PLATFORM_TABLES) =>
  toV2OrderRequest(makeV1OrderSchema(platforms).parse(fields), { platforms, alternativeOrderId: "v1shimabc" });

describe("toV2OrderRequest", () => {
  it("is a pure function: the same order and context give the same request, and the order is left as it was", () => {
    const order = makeV1OrderSchema(DEFAULT_PLATFORM_TABLES).parse(seed);
    const copy = structuredClone(order);
    const ctx = { platforms: DEFAULT_PLATFORM_TABLES, alternativeOrderId: "v1shimabc" };
    expect(toV2OrderRequest(order, ctx)).toEqual(toV2OrderRequest(order, ctx));
    expect(order).toEqual(copy);
  });

  it("carries the alternative_order_id it is given", () => {
    expect(translate(seed).body.alternative_order_id).toBe("v1shimabc");
  });

  it("spells out US and Canadian abbreviations in any case, by the organization's country", () => {
    expect(translate({ ...seed, org_state: "fl" }).body.organization).toMatchObject({ state: "Florida" });
    expect(translate({ ...seed, org_state: "qc", org_country: "CA" }).body.organization).toMatchObject({ state: "Quebec" });
    // "CA" is California only in the US: a British county is passed as given.
    expect(translate({ ...seed, org_state: "CA", org_country: "gb" }).body.organization).toMatchObject({ state: "CA" });
    expect(translate({ ...seed, org_state: "Bavaria", org_country: "de" }).body.organization).toMatchObject({ state: "Bavaria" });
  });

  it("sends every legacy platform id as -1 by default: the legacy EV ids are not v2 ids", () => {
    const legacy = { code_signing: [51, 52, 53, 54, 55, 56, 57, 64], code_signing_ev: [-1, 2, 3, 6, 7, 8, 9, 10, 12, 13, 14, 15, 16, 17] };
    for (const platform of legacy.code_signing_ev) {
      expect(translate({ ...seed, platform, ev: "true" }).body.certificate.server_platform, `EV ${platform}`).toEqual({ id: -1 });
    }
    for (const platform of [...legacy.code_signing, ...legacy.code_signing_ev]) {
      expect(translate({ ...seed, platform, ev: "false" }).body.certificate.server_platform, String(platform)).toEqual({ id: -1 });
    }
  });

  it("uses the configured platform table, so an operator can change what an id becomes", () => {
    const platforms: PlatformTables = {
      ...DEFAULT_PLATFORM_TABLES,
      code_signing_ev: [{ v1_id: 2, name: "SafeNet eToken PRO Anywhere", v2_id: 41 }],
    };
    expect(translate(seed, platforms).body.certificate.server_platform).toEqual({ id: 41 });
  });

  it("omits the optional parts a v1 order does not have", () => {
    const body = translate({ ...seed, cs_provisioning_method: "" }).body;
    expect(body.ship_info).toBeUndefined();
    expect(body.cs_provisioning_method).toBeUndefined();
    expect(body.certificate.organization_units).toBeUndefined();
    expect(JSON.parse(JSON.stringify(body.organization))).not.toHaveProperty("address2");
  });

  it("ignores ship_* fields unless a token is shipped", () => {
    const body = translate({ ...seed, ship_name: "Ann Lee", ship_addr1: "1 Dock St" }).body;
    expect(body.ship_info).toBeUndefined();
  });
});

describe("the translation", () => {
  // An order that uses every field: a token shipped to an address of its own.
  const everyField = {
    ...seed,
    cs_provisioning_method: "ship_token",
    cs_ship_method: "standard",
    ship_name: "Gary McCoy",
    ship_addr1: "1 Dock Road",
    ship_addr2: "Bay 4",
    ship_city: "Orlando",
    ship_state: "FL",
    ship_zip: "32801",
    ship_country: "us",
    org_unit: "Engineering",
    org_addr2: "Suite 100",
    org_contact_telephone_ext: "12",
  };
  // Another value for each v1 field, still a valid order; undefined leaves the field out.
  const other: Record<string, string | undefined> = {
    validity: "2",
    platform: undefined,
    cs_provisioning_method: "client_app",
    cs_ship_method: "expedited",
    ship_name: "Ann Lee",
    ship_addr1: "2 Dock Road",
    ship_addr2: "Bay 5",
    ship_city: "Miami",
    ship_state: "GA",
    ship_zip: "33101",
    ship_country: "ca",
    org_unit: "Research",
    org_name: "Other Company",
    org_addr1: "20 Windsor Court",
    org_addr2: "Suite 200",
    org_city: "Clearwater",
    org_state: "GA",
    org_zip: "33616",
    org_country: "gb",
    telephone: "555-555-0000",
    org_contact_firstname: "Ann",
    org_contact_lastname: "Lee",
    org_contact_job_title: "CEO",
    org_contact_email: "al@example.com",
    org_contact_telephone: "555-555-9999",
    org_contact_telephone_ext: "34",
    ev: "false",
  };

  it.each(V1_ORDER_FIELDS)("reads %s: another value of it sends v2 another request", (field) => {
    expect(Object.hasOwn(other, field), `give the test another value of ${field}`).toBe(true);
    expect(translate({ ...everyField, [field]: other[field] })).not.toEqual(translate(everyField));
  });
});
