import { describe, expect, it } from "vitest";
import { SEED_FIELDS } from "../../test/support/seed-order.js";
import { DEFAULT_PLATFORM_TABLES } from "../contract/platforms.js";
import { makeV1OrderSchema } from "../contract/v1-order.js";
import { v1FieldNamedIn } from "./field-sources.js";
import { type OrderTranslationContext, toV2OrderRequest } from "./order-request.js";

const SHIPPED = {
  ...SEED_FIELDS,
  org_unit: "Engineering",
  org_addr2: "Suite 5",
  org_contact_telephone_ext: "12",
  cs_provisioning_method: "ship_token",
  cs_ship_method: "expedited",
  ship_name: "Ann Lee",
  ship_addr1: "1 Dock St",
  ship_addr2: "Bay 4",
  ship_city: "Richmond",
  ship_state: "va",
  ship_zip: "23219",
  ship_country: "US",
};

// What no v1 field feeds: constants, the shim's own id, and the accounts file's ids.
const NOT_FROM_V1 = new Set([
  "certificate.signature_hash",
  "skip_approval",
  "alternative_order_id",
  "organization.contacts.contact_type",
  "container.id",
  "organization.id",
]);

/** Every leaf of a payload as a dotted path, list indices left out. */
function leafPaths(value: unknown, at = ""): string[] {
  if (Array.isArray(value)) return value.flatMap((item) => leafPaths(item, at));
  if (typeof value === "object" && value !== null) {
    return Object.entries(value).flatMap(([key, inner]) => (inner === undefined ? [] : leafPaths(inner, at ? `${at}.${key}` : key)));
  }
  return [at];
}

const sentPaths = (ctx: Partial<OrderTranslationContext>) =>
  leafPaths(
    toV2OrderRequest(makeV1OrderSchema(DEFAULT_PLATFORM_TABLES).parse(SHIPPED), {
      platforms: DEFAULT_PLATFORM_TABLES,
      alternativeOrderId: "v1shimabc",
      ...ctx,
    }).body,
  );

describe("the table of v1 sources", () => {
  it("names a v1 field for every v2 field the translation fills, in every form of organization", () => {
    const forms = [{}, { organizationId: 7, containerId: 3 }, { organizationId: 7, addVerifiedContact: true }];
    for (const form of forms) {
      for (const path of sentPaths(form).filter((p) => !NOT_FROM_V1.has(p))) {
        expect(v1FieldNamedIn(path), `${path} with ${JSON.stringify(form)}`).toBeDefined();
      }
    }
  });

  it("reads a v2 field from a code or a message, list indices and case aside", () => {
    expect(v1FieldNamedIn("invalid_value|order_validity.years")).toBe("validity");
    expect(v1FieldNamedIn("invalid_value|validity_years")).toBe("validity");
    expect(v1FieldNamedIn("Organization.State is not a state of the organization's country.")).toBe("org_state");
    expect(v1FieldNamedIn("invalid_email|organization.contacts[1].email")).toBe("org_contact_email");
    expect(v1FieldNamedIn("invalid_param|organization.contacts.0.telephone_extension")).toBe("org_contact_telephone_ext");
    expect(v1FieldNamedIn("organization_contact.last_name is required")).toBe("org_contact_lastname");
    expect(v1FieldNamedIn("missing_param|ship_info.zip")).toBe("ship_zip");
    expect(v1FieldNamedIn("certificate.server_platform.id is not allowed")).toBe("platform");
  });

  it("names none for a text that names no v2 field the translation fills", () => {
    for (const text of ["invalid_contact|verified_contact", "duplicate_order", "zip is required", "The request is malformed.", ""]) {
      expect(v1FieldNamedIn(text), text).toBeUndefined();
    }
  });
});
