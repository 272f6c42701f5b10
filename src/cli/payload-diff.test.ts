import { describe, expect, it } from "vitest";
import { seedV2Request } from "../../test/support/seed-order.js";
import { shownRequest } from "../mapping/order-pipeline.js";
import { describeDifference, payloadDifferences, v2PayloadSchema } from "./payload-diff.js";

const shim = shownRequest(seedV2Request("v1shimabc"));
/** The shim's request as a client would have written it: plain JSON, a copy it may change. */
// biome-ignore lint/suspicious/noExplicitAny: a client's JSON, changed at will by each test
const written = (): { method: string; path: string; body: Record<string, any> } => JSON.parse(JSON.stringify(shim));
const differences = (yours: unknown) => payloadDifferences(shim, v2PayloadSchema.parse(yours)).map(describeDifference);

describe("payloadDifferences", () => {
  it("finds none between the shim's request and itself, whole or as a bare body", () => {
    expect(differences(written())).toEqual([]);
    expect(differences(written().body)).toEqual([]);
  });

  it("ignores the alternative_order_id, the order of contacts and keys whose value is undefined", () => {
    const yours = written();
    yours.body.alternative_order_id = "my-own-id-7";
    yours.body.organization.contacts.reverse();
    // The shim's own contacts carry telephone_extension: undefined; a client that writes no such key is the same.
    expect(shim.body.organization.contacts?.[0]).toHaveProperty("telephone_extension", undefined);
    expect(differences(yours)).toEqual([]);
    delete yours.body.alternative_order_id;
    expect(differences(yours)).toEqual([]);
  });

  it("names each difference by its path, in the shim's field order, with what each side sends", () => {
    const yours = written().body;
    yours.organization.state = "FL";
    delete yours.organization.telephone;
    yours.certificate.organization_units = ["Signing"];
    yours.container = { id: 42 };
    yours.order_validity = { years: "1" };
    expect(differences(yours)).toEqual([
      'certificate.organization_units: the shim sends nothing, yours sends ["Signing"]',
      'order_validity.years: the shim sends 1, yours sends "1"',
      'organization.state: the shim sends "Florida", yours sends "FL"',
      'organization.telephone: the shim sends "555-555-1234", yours sends nothing',
      'container: the shim sends nothing, yours sends {"id":42}',
    ]);
  });

  it("names a contact by its type, and an extra one of a type by its number", () => {
    const yours = written().body;
    const [organizationContact, verifiedContact] = yours.organization.contacts;
    verifiedContact.job_title = "CEO";
    yours.organization.contacts = [verifiedContact, organizationContact, { ...organizationContact, email: "x@example.com" }];
    expect(differences(yours)).toEqual([
      'organization.contacts.verified_contact.job_title: the shim sends "CTO", yours sends "CEO"',
      `organization.contacts.organization_contact#2: the shim sends nothing, yours sends ${JSON.stringify({ ...organizationContact, email: "x@example.com" })}`,
    ]);
  });

  it("pairs contacts of one type whatever their order and the order of their keys", () => {
    const one = { contact_type: "technical_contact", first_name: "A", last_name: "B", email: "a@example.com" } as const;
    const two = { contact_type: "technical_contact", first_name: "C", last_name: "D", email: "c@example.com" } as const;
    const twoKeysReordered = { email: "c@example.com", last_name: "D", first_name: "C", contact_type: "technical_contact" };
    const withTechnical = (contacts: (typeof one | typeof two)[]) => ({
      ...shim,
      body: { ...shim.body, organization: { ...shim.body.organization, contacts } },
    });
    expect(
      payloadDifferences(
        withTechnical([one, two]),
        v2PayloadSchema.parse({
          ...withTechnical([one]),
          body: { ...shim.body, organization: { ...shim.body.organization, contacts: [twoKeysReordered, one] } },
        }),
      ),
    ).toEqual([]);
    expect(payloadDifferences(withTechnical([one, two]), v2PayloadSchema.parse(withTechnical([one, one])))).toHaveLength(3);
  });

  it("compares arrays element by element and reports a change of kind whole", () => {
    const yours = written().body;
    const shimUnits = { ...shim, body: { ...shim.body, certificate: { ...shim.body.certificate, organization_units: ["A", "B"] } } };
    yours.certificate.organization_units = ["A", "C", "D"];
    yours.organization.contacts = "Gary";
    expect(payloadDifferences(shimUnits, v2PayloadSchema.parse(yours)).map(describeDifference)).toEqual([
      'certificate.organization_units[1]: the shim sends "B", yours sends "C"',
      'certificate.organization_units[2]: the shim sends nothing, yours sends "D"',
      `organization.contacts: the shim sends ${JSON.stringify(JSON.parse(JSON.stringify(shim.body.organization.contacts)))}, yours sends "Gary"`,
    ]);
  });

  it("compares the path (the product) and the method when the whole request is given, and null as a value", () => {
    const yours = written();
    yours.path = "/order/certificate/code_signing";
    yours.method = "PUT";
    yours.body.ship_info = null;
    expect(differences(yours)).toEqual([
      'method: the shim sends "POST", yours sends "PUT"',
      'path: the shim sends "/order/certificate/code_signing_ev", yours sends "/order/certificate/code_signing"',
      "ship_info: the shim sends nothing, yours sends null",
    ]);
    const { method: _method, ...withoutMethod } = yours;
    expect(differences(withoutMethod)).toHaveLength(2);
  });
});

describe("v2PayloadSchema", () => {
  it("takes a whole request or a bare body, and nothing but a JSON object", () => {
    expect(v2PayloadSchema.parse({ path: "/order/certificate/code_signing", body: { skip_approval: true } })).toEqual({
      path: "/order/certificate/code_signing",
      body: { skip_approval: true },
    });
    expect(v2PayloadSchema.parse({ skip_approval: true })).toEqual({ method: undefined, path: undefined, body: { skip_approval: true } });
    // A recorded request's headers are not the order.
    expect(v2PayloadSchema.parse({ path: "/x", body: {}, headers: { "x-dc-devkey": "k" } })).toEqual({ path: "/x", body: {} });
    for (const notAnObject of [[], "body", 42, null]) expect(v2PayloadSchema.safeParse(notAnObject).success).toBe(false);
  });
});
