import { createHash, randomUUID } from "node:crypto";

/**
 * A fresh id for each legacy request, stored on the v2 order so the order can be
 * traced to the call that made it. v2 calls the field alphanumeric (max 64), so
 * the UUID's dashes are dropped: "v1shim" and 32 hex digits.
 */
export function newAlternativeOrderId(): string {
  return `v1shim${randomUUID().replaceAll("-", "")}`;
}

/**
 * The id of the order an account's `Idempotency-Key` names: the same for the same
 * account and key on every replica and after any restart, so that v2 itself,
 * looked up by it, says whether the key's order was made. Same shape as a fresh one.
 */
export function keyedAlternativeOrderId(accountId: string, idempotencyKey: string): string {
  return `v1shim${createHash("sha256").update(accountId).update("\n").update(idempotencyKey).digest("hex").slice(0, 32)}`;
}
