import type { z } from "zod";
import { fieldErrorCode, type V1ErrorItem, v1Errors } from "../contract/v1-errors.js";
import { MISSING, REQUIRED, V1_ORDER_FIELDS, type V1Order, type V1OrderSchema } from "../contract/v1-order.js";

const fieldRank = new Map<string, number>(V1_ORDER_FIELDS.map((field, i) => [field, i]));

/** Told by the message the schema chose: issues carry no input unless zod is asked to, at a cost on every parse. */
function isMissing(issue: z.core.$ZodIssue): boolean {
  if (issue.code === "invalid_type") return issue.message === MISSING;
  return issue.code === "custom" && issue.params?.v1 === REQUIRED.v1;
}

/**
 * One v1 error per field, `required_param:<field>` or `invalid_param:<field>`,
 * in the order the legacy page lists the fields, so a client sees every problem
 * of its request in one answer.
 */
function toV1ValidationErrors(issues: readonly z.core.$ZodIssue[]): V1ErrorItem[] {
  const byField = new Map<string, V1ErrorItem>();
  for (const issue of issues) {
    const field = String(issue.path[0] ?? "body");
    if (byField.has(field)) continue;
    const kind = isMissing(issue) ? "required_param" : "invalid_param";
    byField.set(field, { code: fieldErrorCode(kind, field), description: `${field} ${issue.message}` });
  }
  return [...byField.entries()]
    .sort(([a], [b]) => (fieldRank.get(a) ?? Infinity) - (fieldRank.get(b) ?? Infinity))
    .map(([, error]) => error);
}

/** Throws a 400 V1Error listing every problem, or returns the typed order. */
export function validateOrder(schema: V1OrderSchema, fields: Record<string, unknown>): V1Order {
  const result = schema.safeParse(fields);
  if (result.success) return result.data;
  throw v1Errors.invalidFields(toV1ValidationErrors(result.error.issues));
}
