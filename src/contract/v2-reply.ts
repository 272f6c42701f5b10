// What came of a call to v2, and of placing an order, and what each kind of
// reply means. Every rule about a v2 reply lives here, once: the v2 side, the
// mapping to v1 answers, the metrics and the log all ask these functions.

import { v2AlternateOrdersSchema, v2ErrorEnvelopeSchema } from "./v2.js";

/** What came of one v2 call, as the edge saw it. */
export type V2Reply =
  | {
      kind: "answer";
      status: number;
      body: unknown;
      /** `Retry-After` as whole seconds, when v2 gave one in that form (see readRetryAfter). */
      retryAfterSeconds?: number | undefined;
    }
  /** Refused, reset or timed out: a short code such as ECONNREFUSED, never a message. */
  | { kind: "no_answer"; reason: string }
  /**
   * Held back by the shim's own pacing: the key's v2 limits would be broken before
   * a slot frees, or (`stateUnavailable`) the store that paces every replica is
   * down and SHIM_STATE_REQUIRED forbids pacing alone.
   */
  | { kind: "paced"; retryAfterMs: number; stateUnavailable?: true };

/** How placing one order with v2 ended. */
export type Placement =
  /** v2 took the order. */
  | { kind: "created"; orderId: number; reply: V2Reply }
  /** v2 refused it: its answer is final. */
  | { kind: "refused"; reply: V2Reply }
  /** An answer was lost, but the look-up by alternative_order_id found the order. */
  | { kind: "found"; orderId: number; alsoCarryingTheId: number[] }
  /** Out of attempts or time. `uncertain`: an order may exist that no look-up has found. */
  | { kind: "gave_up"; last: V2Reply; uncertain: boolean };

/**
 * `Retry-After` in whole seconds; undefined when absent, or an HTTP date, or
 * anything else (v2 sends seconds, if anything).
 */
export function readRetryAfter(header: string | undefined): number | undefined {
  const text = header?.trim();
  return text !== undefined && /^\d+$/.test(text) ? Number(text) : undefined;
}

// Failures in which the request certainly did not reach v2: no connection was made,
// or the request could not even be built (undici's invalid argument, a TypeError
// from the web Headers of the in-process transport).
const NEVER_SENT: ReadonlySet<string> = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_INVALID_ARG",
  "TypeError",
]);

/** True when nothing of the request reached v2: the pacer held it, or no connection was made. */
export const neverSent = (reply: V2Reply): boolean =>
  reply.kind === "paced" || (reply.kind === "no_answer" && NEVER_SENT.has(reply.reason));

export const isSuccessStatus = (status: number): boolean => status >= 200 && status < 300;

export const isSuccess = (reply: V2Reply): boolean => reply.kind === "answer" && isSuccessStatus(reply.status);

export const isRateLimited = (reply: V2Reply): boolean => reply.kind === "answer" && reply.status === 429;

/** A reply worth asking again for, where asking changes nothing: no answer, a 5xx, a 429. */
export const isTransient = (reply: V2Reply): boolean =>
  reply.kind === "no_answer" || (reply.kind === "answer" && (reply.status >= 500 || reply.status === 429));

/** What a look-up by alternative_order_id says: the orders carrying the id (ascending), that v2 holds none, or nothing to go by. */
export type LookupAnswer = { found: number[] } | "none" | "failed";

/**
 * Only v2 itself saying so means "none", since "none" lets the order be sent
 * again: a 200 that lists no order (real v2 gives just its `page`, total 0),
 * or a 404 in v2's own error envelope. A 404 without it (a proxy's HTML page,
 * a wrong URL), any other status, an unreadable body, or a page that counts
 * orders it does not list, is a look-up that failed.
 */
export function lookupAnswer(reply: V2Reply): LookupAnswer {
  if (reply.kind !== "answer") return "failed";
  if (reply.status === 404) return v2ErrorEnvelopeSchema.safeParse(reply.body).success ? "none" : "failed";
  const listed = v2AlternateOrdersSchema.safeParse(reply.body);
  if (reply.status !== 200 || !listed.success) return "failed";
  const found = (listed.data.orders ?? []).map((o) => o.order_id).sort((a, b) => a - b);
  if (found.length > 0) return { found };
  return (listed.data.page?.total ?? 0) === 0 ? "none" : "failed";
}

/** v2 refused the call's key (401, or 403 in its own envelope): whatever the call asked, the key is not accepted for it. */
export const refusesTheKey = (reply: V2Reply): boolean =>
  reply.kind === "answer" && (reply.status === 401 || reply.status === 403) && v2ErrorEnvelopeSchema.safeParse(reply.body).success;

/** A reply in a word or number, for the log: the status, why there was no answer, or that it was paced. */
export const replySummary = (reply: V2Reply): number | string =>
  reply.kind === "answer" ? reply.status : reply.kind === "no_answer" ? reply.reason : "paced";

/** A reply as a bounded metrics label: `2xx`, `4xx`, `429`, `5xx`, `no_answer` or `paced`. */
export const replyLabel = (reply: V2Reply): string =>
  reply.kind === "answer" ? (reply.status === 429 ? "429" : `${Math.floor(reply.status / 100)}xx`) : reply.kind;
