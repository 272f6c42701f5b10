import { createHmac } from "node:crypto";
import { V1_ORDER_FIELDS, type V1Order } from "../contract/v1-order.js";
import { spellOutState } from "../mapping/state-names.js";
import { keyDigest } from "../v2/pacer.js";

/**
 * Who an order is placed for, as v2 judges it: in accounts mode the account, whose
 * key the shim checked; in passthrough the account id and the key itself, which v2
 * judges (by digest: the key never leaves this function). A request's retry is
 * recognised, and answered, only for the credential that placed the first.
 */
export function orderingIdentity(mode: "account" | "key", accountId: string, v2ApiKey: string): string {
  return mode === "account" ? `account\n${accountId}` : `key\n${accountId}\n${keyDigest(v2ApiKey)}`;
}

/**
 * The v1 order as the client meant it: every field it sent, in the legacy page's
 * order, after the validation's own normalisations (JSON or XML, `1` or `"1"`,
 * `TRUE` or `true`, `US` or `us`) and one more that keeps the meaning: a US or
 * Canadian state's code is its name. Fields the translation drops or folds (a
 * platform mapped to -1 like another, ship fields without ship_token) still
 * count: two requests that differ in any field are two orders. No validated
 * value holds a control character, so NUL separates them.
 */
export function orderText(order: V1Order): string {
  const parts: string[] = [];
  for (const field of V1_ORDER_FIELDS) {
    let value = order[field];
    if (value === undefined) continue;
    if (field === "org_state") value = spellOutState(order.org_state, order.org_country);
    else if (field === "ship_state" && order.ship_country !== undefined) value = spellOutState(order.ship_state!, order.ship_country);
    parts.push(field, String(value));
  }
  return parts.join("\u0000");
}

/** Fingerprints of the retry window and of Idempotency-Keys never match each other: a window retry is not a key's. */
export type FingerprintUse = "window" | "key";

/** A keyed digest of who ordered what: equal for equal orders of one identity, telling nothing of either without the secret. */
export const orderFingerprint = (secret: string, use: FingerprintUse, identity: string, order: V1Order): string =>
  createHmac("sha256", secret).update(`${use}\n${identity}\n`).update(orderText(order)).digest("base64url");

/**
 * The alternative_order_id an identity's Idempotency-Key names: the same on every
 * replica sharing the secret and after any restart, so that v2 itself, asked by it,
 * says whether the key's order was made; another credential's request with the same
 * key names another order. "v1shim" and 32 hex digits, as a fresh one.
 */
export const keyedAlternativeOrderId = (secret: string, identity: string, idempotencyKey: string): string =>
  `v1shim${createHmac("sha256", secret).update(`idempotency-key\n${identity}\n`).update(idempotencyKey).digest("hex").slice(0, 32)}`;
