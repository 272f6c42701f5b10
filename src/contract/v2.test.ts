import { describe, expect, it } from "vitest";
import type { z } from "zod";
import { v2AlternateOrdersSchema, v2ErrorEnvelopeSchema, v2OrderCreatedSchema, v2OrderInfoSchema } from "./v2.js";

type Json = Record<string, unknown>;

/** A copy of `value` with the field at `path` set to `to`, or removed when `to` is undefined. */
function withField(value: Json, path: string[], to: unknown): Json {
  const copy = structuredClone(value);
  let parent: Json = copy;
  for (const key of path.slice(0, -1)) parent = parent[key] as Json;
  const last = path.at(-1)!;
  if (to === undefined) delete parent[last];
  else parent[last] = to;
  return copy;
}

/** Every optional field, set to null, reads exactly as if it were absent. */
function expectNullAsAbsent(schema: z.ZodType, full: Json, optionalPaths: string[][]) {
  expect(schema.safeParse(full).success).toBe(true);
  for (const path of optionalPaths) {
    const asNull = schema.safeParse(withField(full, path, null));
    expect(asNull.success, path.join(".")).toBe(true);
    expect(asNull.data, path.join(".")).toEqual(schema.parse(withField(full, path, undefined)));
  }
}

// Real v2 answers write `null` for what is not set yet.
describe("null in what v2 answers is an absent field", () => {
  it("in the create answer", () => {
    expectNullAsAbsent(v2OrderCreatedSchema, { id: 1, certificate_id: 2, requests: [{ id: 3, status: "pending" }] }, [
      ["certificate_id"],
      ["requests"],
    ]);
  });

  it("in a look-up's entries and page", () => {
    const full = { orders: [{ order_id: 1, certificate_id: 2, status: "pending" }], page: { total: 1, limit: 1000, offset: 0 } };
    expectNullAsAbsent(v2AlternateOrdersSchema, full, [
      ["orders", "0", "certificate_id"],
      ["orders", "0", "status"],
      ["page", "total"],
    ]);
  });

  it("in v2's error envelope", () => {
    expectNullAsAbsent(v2ErrorEnvelopeSchema, { errors: [{ code: "not_found", message: "none" }] }, [["errors", "0", "message"]]);
  });

  it("in Order info, at every level", () => {
    const full = {
      id: 1,
      status: "issued",
      date_created: "2026-03-04T17:19:12+00:00",
      product: { name: "EV Code Signing", name_id: "code_signing_ev" },
      certificate: {
        common_name: "My Company",
        dns_names: [],
        date_created: "2026-03-04T17:19:12+00:00",
        valid_from: "2026-03-04",
        valid_till: "2027-03-04",
        organization_units: ["Engineering"],
        server_platform: { id: 2, name: "eToken" },
        cert_validity: { years: 1, days: 365 },
      },
      order_validity: { years: 1, days: 365 },
      validity_years: 1,
      price: 499,
    };
    const paths = [
      ["date_created"],
      ["product"],
      ["product", "name"],
      ["product", "name_id"],
      ["certificate"],
      ...Object.keys(full.certificate).map((field) => ["certificate", field]),
      ["certificate", "server_platform", "name"],
      ["certificate", "cert_validity", "years"],
      ["certificate", "cert_validity", "days"],
      ["order_validity"],
      ["order_validity", "years"],
      ["order_validity", "days"],
      ["validity_years"],
      ["price"],
    ];
    expectNullAsAbsent(v2OrderInfoSchema, full, paths);
  });

  it("but never for a field that must be there", () => {
    expect(v2OrderCreatedSchema.safeParse({ id: null }).success).toBe(false);
    expect(v2OrderInfoSchema.safeParse({ id: 1, status: null }).success).toBe(false);
    expect(v2AlternateOrdersSchema.safeParse({ orders: [{ order_id: null }] }).success).toBe(false);
  });
});
