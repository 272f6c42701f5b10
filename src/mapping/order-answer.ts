import type { OrderIdFormat } from "../contract/v1-answers.js";
import { fieldErrorCode, type V1Error, type V1ErrorItem, v1Errors } from "../contract/v1-errors.js";
import { type V2ErrorEnvelope, v2ErrorEnvelopeSchema } from "../contract/v2.js";
import { isRateLimited, isSuccessStatus, type Placement, type V2Reply } from "../contract/v2-reply.js";
import { v1FieldNamedIn } from "./field-sources.js";
import { withoutKeys } from "./redact.js";

/** The archived samples print ids zero-padded to 8 digits; the seed types them as integers. */
export function formatOrderId(id: number, format: OrderIdFormat): number | string {
  return format === "padded" ? String(id).padStart(8, "0") : id;
}

/** Why no answer came, in words for the client; the log keeps the code. */
const NO_ANSWER: ReadonlyMap<string, string> = new Map([
  ["ECONNREFUSED", "the connection was refused"],
  ["ECONNRESET", "the connection was closed without an answer"],
  ["UND_ERR_SOCKET", "the connection was closed without an answer"],
  ["EPIPE", "the connection was closed without an answer"],
  ["UND_ERR_CONNECT_TIMEOUT", "no connection could be made in time"],
  ["UND_ERR_HEADERS_TIMEOUT", "no answer came in time"],
  ["UND_ERR_BODY_TIMEOUT", "no answer came in time"],
  ["UND_ERR_ABORTED", "no answer came in time"],
  ["ENOTFOUND", "its host name is unknown"],
  ["EAI_AGAIN", "its host name could not be resolved"],
  ["UND_ERR_RES_EXCEEDED_MAX_SIZE", "its answer was larger than this service reads"],
  ["ANSWER_LOST", "its answer could not be read"],
]);

/** v2 has not said how long to wait; its short window is 5 seconds. */
const DEFAULT_RETRY_AFTER_SECONDS = 5;

/**
 * How placing an order with v2 ended → the v1 answer: the order's id, or, when
 * no order was made or none can be told, **throws** the V1Error the client is
 * to hear. v2 error bodies are never passed through: their codes are carried
 * with `|` written as `:`, the v1 separator, and their messages become descriptions.
 */
export function toV1OrderOutcome(placement: Placement, keys: readonly string[] = []): { orderId: number } {
  if (placement.kind === "created" || placement.kind === "found") return { orderId: placement.orderId };
  const reply = placement.kind === "refused" ? placement.reply : placement.last;
  // A 2xx here is one whose body was not an order: the placement ran out of ways to find out.
  if (reply.kind === "answer" && isSuccessStatus(reply.status)) throw v1Errors.upstreamInvalidAnswer(reply.status);
  // The order endpoint does not 404: its 404 means DIGICERT_API_URL leads elsewhere.
  if (reply.kind === "answer" && reply.status === 404) throw v1Errors.upstreamInvalidAnswer(404);
  throw toV1Failure(reply, keys, inV1Terms);
}

/**
 * A v2 call that did not succeed → the v1 error, for any endpoint: refusals
 * carried, rate limits and outages as 503. The caller has dealt with 2xx, and
 * with a 404 where it means something of its own. `keys` (the account's v2 key,
 * the client's Basic key) are taken out of whatever of v2's text is passed on.
 */
export function toV1Failure(reply: V2Reply, keys: readonly string[] = [], carry: (error: V2ErrorItem) => V1ErrorItem = carried): V1Error {
  if (reply.kind === "paced") return reply.stateUnavailable ? v1Errors.stateUnavailable() : v1Errors.rateLimited(reply.retryAfterMs);
  if (reply.kind === "no_answer") {
    return v1Errors.upstreamUnavailable(
      `DigiCert could not be reached: ${NO_ANSWER.get(reply.reason) ?? "the connection failed"}. Try again later.`,
    );
  }
  if (isRateLimited(reply)) return v1Errors.upstreamRateLimited(reply.retryAfterSeconds ?? DEFAULT_RETRY_AFTER_SECONDS);
  const { status, body } = reply;
  if (status >= 500) return v1Errors.upstreamUnavailable(`DigiCert is unavailable (status ${status}); try again later.`);
  const envelope = v2ErrorEnvelopeSchema.safeParse(body);
  if (status < 400 || !envelope.success) return v1Errors.upstreamInvalidAnswer(status);
  const errors = envelope.data.errors.map((e) => withoutKeysIn(carry(e), keys));
  if (status === 401 || (status === 403 && isInvalidKey(envelope.data))) return v1Errors.carried(401, errors);
  if (status === 403 || status === 404) return v1Errors.carried(status, errors);
  return v1Errors.carried(400, errors);
}

type V2ErrorItem = V2ErrorEnvelope["errors"][number];

/** v2's code with `|` written as `:`, the v1 separator, and its message as the description. */
const carried = (e: V2ErrorItem): V1ErrorItem => ({
  code: e.code.replaceAll("|", ":"),
  description: e.message ?? `DigiCert refused the order (${e.code}).`,
});

/**
 * A refusal of an order that names a v2 field (in its code, `invalid_value|order_validity.years`,
 * or its message) names the v1 field that fed it instead, since the legacy client knows
 * only those: `invalid_param:validity`, or `required_param:` when v2 says it is missing.
 * v2's own code and message stay in the description. Any other is carried as it is.
 */
function inV1Terms(e: V2ErrorItem): V1ErrorItem {
  const field = v1FieldNamedIn(e.code) ?? (e.message === undefined ? undefined : v1FieldNamedIn(e.message));
  if (!field) return carried(e);
  const kind = /missing|required/i.test(e.code.split("|")[0] ?? "") ? "required_param" : "invalid_param";
  const said = e.message === undefined ? "" : `: ${e.message}`;
  return { code: fieldErrorCode(kind, field), description: `${field} was refused by DigiCert${said} (v2 code ${e.code})` };
}

/** An error with the keys taken out of its code and description: v2's text reaches legacy clients. */
const withoutKeysIn = (error: V1ErrorItem, keys: readonly string[]): V1ErrorItem => ({
  code: withoutKeys(error.code, keys),
  description: withoutKeys(error.description, keys),
});

function isInvalidKey(envelope: V2ErrorEnvelope): boolean {
  return envelope.errors.some((e) => e.code.split("|").includes("access_denied_invalid_key"));
}
