import { z } from "zod";

export const jsonObjectSchema = z.record(z.string(), z.unknown());
export type JsonObject = z.infer<typeof jsonObjectSchema>;

/**
 * What a rewritten v2 client sends: the whole request as the translate command
 * prints it (then its method, if given, and path, i.e. the product, count too;
 * other keys, such as recorded headers, are not the order), or a bare order body.
 */
export const v2PayloadSchema = z.union([
  z.object({ method: z.string().optional(), path: z.string(), body: jsonObjectSchema }),
  jsonObjectSchema.transform((body) => ({ method: undefined, path: undefined, body })),
]);
export type V2Payload = z.output<typeof v2PayloadSchema>;

/** One place where the two disagree; `undefined` on a side: that side sends nothing there. */
export interface Difference {
  path: string;
  shim: unknown;
  yours: unknown;
}

/**
 * Every difference between what the shim sends and what a rewritten client
 * sends, in the shim's field order. Compared as v2 reads them: as JSON (a key
 * whose value is undefined is no key), without the alternative_order_id (new
 * for every order) and without the order of the organization's contacts (v2
 * tells them by their contact_type).
 */
export function payloadDifferences(shim: { method: string; path: string; body: JsonObject }, yours: V2Payload): Difference[] {
  const differences: Difference[] = [];
  if (yours.method !== undefined) compare(shim.method, yours.method, "method", differences);
  if (yours.path !== undefined) compare(shim.path, yours.path, "path", differences);
  compare(comparable(shim.body), comparable(yours.body), "", differences);
  return differences;
}

/** Two v2 order bodies compared as payloadDifferences compares them: the alternative_order_id and the contacts' order aside. */
export function orderBodyDifferences(shim: JsonObject, yours: JsonObject): Difference[] {
  const differences: Difference[] = [];
  compare(comparable(shim), comparable(yours), "", differences);
  return differences;
}

/** Any two JSON values, field by field, named by their paths (`errors[0].code`); `at` prefixes the paths. */
export function jsonDifferences(shim: unknown, yours: unknown, at = ""): Difference[] {
  const differences: Difference[] = [];
  compare(JSON.parse(JSON.stringify(shim ?? null)), JSON.parse(JSON.stringify(yours ?? null)), at, differences);
  return differences;
}

/** `organization.state: the shim sends "Florida", yours sends "FL"`. */
export const describeDifference = ({ path, shim, yours }: Difference): string =>
  `${path}: the shim sends ${shown(shim)}, yours sends ${shown(yours)}`;

const shown = (value: unknown) => (value === undefined ? "nothing" : JSON.stringify(value));

const isJsonObject = (value: unknown): value is JsonObject => typeof value === "object" && value !== null && !Array.isArray(value);

function compare(shim: unknown, yours: unknown, path: string, differences: Difference[]): void {
  const at = (key: string) => (path ? `${path}.${key}` : key);
  if (path === "organization.contacts" && Array.isArray(shim) && Array.isArray(yours)) {
    compare(byContactType(shim), byContactType(yours), path, differences);
  } else if (isJsonObject(shim) && isJsonObject(yours)) {
    for (const key of new Set([...Object.keys(shim), ...Object.keys(yours)])) compare(shim[key], yours[key], at(key), differences);
  } else if (Array.isArray(shim) && Array.isArray(yours)) {
    for (let i = 0; i < Math.max(shim.length, yours.length); i++) compare(shim[i], yours[i], `${path}[${i}]`, differences);
  } else if (shim !== yours) {
    differences.push({ path, shim, yours });
  }
}

/** The body as v2 reads it, less the id the shim makes anew for every order. */
function comparable(body: JsonObject): JsonObject {
  const { alternative_order_id: _ignored, ...order } = jsonObjectSchema.parse(JSON.parse(JSON.stringify(body)));
  return order;
}

/**
 * Contacts keyed by their type (`organization.contacts.verified_contact.email`),
 * so that their order does not count and a difference names the contact.
 * A type given twice is `technical_contact#2`, paired in a canonical order.
 */
function byContactType(contacts: unknown[]): JsonObject {
  const inCanonicalOrder = contacts
    .map((contact) => ({ contact, text: canonical(contact) }))
    .sort((a, b) => (a.text < b.text ? -1 : a.text > b.text ? 1 : 0));
  const seen = new Map<string, number>();
  return Object.fromEntries(
    inCanonicalOrder.map(({ contact }) => {
      const type = isJsonObject(contact) && typeof contact.contact_type === "string" ? contact.contact_type : "contact";
      const nth = (seen.get(type) ?? 0) + 1;
      seen.set(type, nth);
      return [nth === 1 ? type : `${type}#${nth}`, contact];
    }),
  );
}

/** JSON with every object's keys sorted, so that key order does not decide how contacts pair. */
const canonical = (value: unknown): string =>
  JSON.stringify(value, (_key, v: unknown) =>
    isJsonObject(v)
      ? Object.fromEntries(
          Object.keys(v)
            .sort()
            .map((key) => [key, v[key]]),
        )
      : v,
  );
