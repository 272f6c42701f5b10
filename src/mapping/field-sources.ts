import type { V1Order } from "../contract/v1-order.js";
import type { V2Contact, V2OrderBody } from "../contract/v2.js";

type V1Field = keyof V1Order;
/** A v2 object's fields, each named by the v1 field it is made from. */
type SourcesOf<T> = { readonly [K in keyof T]?: V1Field };

const CONTACT = {
  first_name: "org_contact_firstname",
  last_name: "org_contact_lastname",
  job_title: "org_contact_job_title",
  email: "org_contact_email",
  telephone: "org_contact_telephone",
  telephone_extension: "org_contact_telephone_ext",
} as const satisfies SourcesOf<V2Contact>;

/**
 * The v1 field each v2 field is made from, one v2 object at a time (the key is
 * the object's path in the payload, "" for its root). The translation builds the
 * payload from this table, and a v2 refusal naming a v2 field
 * (`organization.state`) is read back through it to the field the client sent
 * (`org_state`): one table, so the two cannot disagree.
 */
export const V1_SOURCES = {
  "": {
    cs_provisioning_method: "cs_provisioning_method",
    // Never sent (order_validity is); v2's refusals may still name it.
    validity_years: "validity",
  },
  certificate: { organization_units: "org_unit" },
  "certificate.server_platform": { id: "platform" },
  order_validity: { years: "validity" },
  organization: {
    name: "org_name",
    address: "org_addr1",
    address2: "org_addr2",
    city: "org_city",
    state: "org_state",
    zip: "org_zip",
    country: "org_country",
    telephone: "telephone",
  },
  "organization.contacts": CONTACT,
  organization_contact: CONTACT,
  // A token shipped to the organization's address is still addressed by these:
  // they are the fields a client sends to ship it elsewhere.
  ship_info: {
    name: "ship_name",
    addr1: "ship_addr1",
    addr2: "ship_addr2",
    city: "ship_city",
    state: "ship_state",
    zip: "ship_zip",
    country: "ship_country",
    method: "cs_ship_method",
  },
} as const satisfies {
  "": SourcesOf<V2OrderBody>;
  certificate: SourcesOf<V2OrderBody["certificate"]>;
  "certificate.server_platform": SourcesOf<NonNullable<V2OrderBody["certificate"]["server_platform"]>>;
  order_validity: SourcesOf<V2OrderBody["order_validity"]>;
  organization: SourcesOf<V2OrderBody["organization"]>;
  "organization.contacts": SourcesOf<V2Contact>;
  organization_contact: SourcesOf<NonNullable<V2OrderBody["organization_contact"]>>;
  ship_info: SourcesOf<NonNullable<V2OrderBody["ship_info"]>>;
};

type FromV1<T extends Readonly<Record<string, V1Field>>> = { -readonly [K in keyof T]: V1Order[T[K] & V1Field] };

/** The v2 fields a table names, each with the value of its v1 field. */
export function fromV1<const T extends Readonly<Record<string, V1Field>>>(order: V1Order, table: T): FromV1<T> {
  const fields = {} as FromV1<T>;
  for (const key in table) fields[key] = order[table[key] as T[typeof key] & V1Field];
  return fields;
}

const V1_FIELD_AT: ReadonlyMap<string, V1Field> = new Map(
  Object.entries(V1_SOURCES).flatMap(([object, fields]) =>
    Object.entries(fields).map(([field, v1]): [string, V1Field] => [object ? `${object}.${field}` : field, v1]),
  ),
);

// A dotted path as v2 may write one: `organization.contacts[0].email` or `organization.contacts.0.email`.
const PATH_LIKE = /[a-z_][a-z0-9_]*(?:\.[a-z0-9_]+|\[\d+\])*/gi;

/**
 * The v1 field behind the first v2 field a text names (a v2 error's code or
 * message), list indices aside; undefined when it names none.
 */
export function v1FieldNamedIn(text: string): V1Field | undefined {
  for (const [path] of text.matchAll(PATH_LIKE)) {
    const field = V1_FIELD_AT.get(path.toLowerCase().replace(/\[\d+\]|\.\d+(?=\.|$)/g, ""));
    if (field) return field;
  }
  return undefined;
}
