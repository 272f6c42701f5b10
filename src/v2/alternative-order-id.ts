import { randomUUID } from "node:crypto";

/**
 * A fresh id for each legacy request, stored on the v2 order so the order can be
 * traced to the call that made it. v2 calls the field alphanumeric (max 64), so
 * the UUID's dashes are dropped: "v1shim" and 32 hex digits.
 */
export function newAlternativeOrderId(): string {
  return `v1shim${randomUUID().replaceAll("-", "")}`;
}
