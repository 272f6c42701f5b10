import type { OrderIdFormat } from "../contract/v1-answers.js";
import { V1Error, type V1ErrorItem, v1Errors } from "../contract/v1-errors.js";
import { type V2ErrorEnvelope, v2ErrorEnvelopeSchema } from "../contract/v2.js";
import { isRateLimited, isSuccessStatus, type Placement, type V2Reply } from "../contract/v2-reply.js";

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
]);

/** v2 has not said how long to wait; its short window is 5 seconds. */
const DEFAULT_RETRY_AFTER_SECONDS = 5;

/**
 * How placing an order with v2 ended → the v1 answer. v2 error bodies are never
 * passed through: their codes are carried with `|` written as `:`, the v1
 * separator, and their messages become descriptions.
 */
export function toV1OrderOutcome(placement: Placement): { orderId: number } | V1Error {
  if (placement.kind === "created" || placement.kind === "found") return { orderId: placement.orderId };
  const reply = placement.kind === "refused" ? placement.reply : placement.last;
  // A 2xx here is one whose body was not an order: the placement ran out of ways to find out.
  if (reply.kind === "answer" && isSuccessStatus(reply.status)) return invalidAnswer(reply.status);
  // The order endpoint does not 404: its 404 means DIGICERT_API_URL leads elsewhere.
  if (reply.kind === "answer" && reply.status === 404) return invalidAnswer(404);
  return toV1Failure(reply);
}

/**
 * A v2 call that did not succeed → the v1 error, for any endpoint: refusals
 * carried, rate limits and outages as 503. The caller has dealt with 2xx, and
 * with a 404 where it means something of its own.
 */
export function toV1Failure(reply: V2Reply): V1Error {
  if (reply.kind === "paced") {
    if (reply.stateUnavailable) return v1Errors.stateUnavailable();
    const seconds = String(Math.max(1, Math.ceil(reply.retryAfterMs / 1000)));
    return new V1Error(
      503,
      [{ code: "rate_limited", description: `Too many calls to DigiCert with this API key just now; retry after ${seconds} seconds.` }],
      { "Retry-After": seconds },
    );
  }
  if (reply.kind === "no_answer") {
    return v1Errors.upstreamUnavailable(
      `DigiCert could not be reached: ${NO_ANSWER.get(reply.reason) ?? "the connection failed"}. Try again later.`,
    );
  }
  if (isRateLimited(reply)) {
    return new V1Error(
      503,
      [
        {
          code: "upstream_rate_limited",
          description: "DigiCert is limiting the request rate for this API key; retry after the time in Retry-After.",
        },
      ],
      { "Retry-After": String(reply.retryAfterSeconds ?? DEFAULT_RETRY_AFTER_SECONDS) },
    );
  }
  const { status, body } = reply;
  if (status >= 500) return v1Errors.upstreamUnavailable(`DigiCert is unavailable (status ${status}); try again later.`);
  const envelope = v2ErrorEnvelopeSchema.safeParse(body);
  if (status < 400 || !envelope.success) return invalidAnswer(status);
  const errors = carriedErrors(envelope.data);
  if (status === 401 || (status === 403 && isInvalidKey(envelope.data))) return new V1Error(401, errors);
  if (status === 403) return new V1Error(403, errors);
  if (status === 404) return new V1Error(404, errors);
  return new V1Error(400, errors);
}

/** v2's codes with `|` written as `:`, the v1 separator, and its messages as descriptions. */
export function carriedErrors(envelope: V2ErrorEnvelope): V1ErrorItem[] {
  return envelope.errors.map((e) => ({
    code: e.code.replaceAll("|", ":"),
    description: e.message ?? `DigiCert refused the order (${e.code}).`,
  }));
}

function isInvalidKey(envelope: V2ErrorEnvelope): boolean {
  return envelope.errors.some((e) => e.code.split("|").includes("access_denied_invalid_key"));
}

/** An answer in no shape v2 gives: the client hears 503, and the operator is told. */
export function invalidAnswer(status: number): V1Error {
  return new V1Error(
    503,
    [
      {
        code: "upstream_invalid_answer",
        description: `DigiCert gave an answer the service cannot read (status ${status}); the operator has been told.`,
      },
    ],
    {},
    "v2 gave an answer the shim cannot read",
  );
}
