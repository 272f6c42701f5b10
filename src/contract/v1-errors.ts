import { z } from "zod";

// The legacy error body: {"errors":[{"code":"required_param:note","description":"Note is required"}]}.
// Only two codes were ever documented; the rest are the shim's own, in the same
// style. Every code the shim answers is in the catalogue below, and only there:
// a test holds docs/v1-surface.md's table of codes and the OpenAPI document to it.

const v1ErrorItemSchema = z.object({ code: z.string(), description: z.string() });
export type V1ErrorItem = z.infer<typeof v1ErrorItemSchema>;
export const v1ErrorBodySchema = z.object({ errors: z.array(v1ErrorItemSchema).min(1) });

/** Every v1 error code the shim answers, the statuses it comes with, and when. */
export const V1_ERROR_CATALOGUE = {
  "required_param:<field>": { statuses: [400], when: "a required field is missing or empty" },
  "invalid_param:<field>": { statuses: [400], when: "a field's value (or a query parameter of the shim's own endpoints) is not allowed" },
  "invalid_param:order_id": { statuses: [400], when: "the order id in the path is not an order number" },
  "invalid_param:idempotency_key": { statuses: [400], when: "the Idempotency-Key header is empty or longer than 255 characters" },
  idempotency_key_in_progress: { statuses: [409], when: "the first request with this Idempotency-Key is still being placed" },
  idempotency_key_reused: { statuses: [422], when: "the Idempotency-Key was used before with another order" },
  malformed_request: { statuses: [400], when: "Node's parser could not read the request" },
  malformed_body: {
    statuses: [400],
    when: "the body is not JSON or well-formed XML, not an object of fields, carries a DOCTYPE, or nests too deep",
  },
  "<v2 code with : for |>": {
    statuses: [400, 401, 403, 404],
    when: "v2 refused; a refusal naming a v2 field the order fills names its v1 field instead (invalid_param:validity); 404 only for order details",
  },
  access_denied: { statuses: [401], when: "no usable Basic credentials; in accounts mode, also an unknown account or a wrong key" },
  account_disabled: { statuses: [403], when: "accounts mode: the account is disabled in the accounts file" },
  not_found: { statuses: [404], when: "unknown path, or an order v2 does not have (when v2 gives no code)" },
  not_served: { statuses: [404], when: "a legacy endpoint the shim does not serve" },
  sunset: {
    statuses: [410],
    when: 'the account\'s sunset has passed and its migration plan says after_sunset "refuse": nothing was sent to v2',
  },
  method_not_allowed: { statuses: [405], when: "the path does not take the method (Allow says which do)" },
  not_acceptable: { statuses: [406], when: "Accept allows neither JSON nor XML" },
  request_timeout: { statuses: [408], when: "the request did not arrive within the server's timeouts" },
  body_too_large: { statuses: [413], when: "the body is larger than SHIM_MAX_BODY_BYTES" },
  unsupported_media_type: {
    statuses: [415],
    when: "the body is neither JSON nor XML, or declares a charset other than UTF-8, ISO-8859-1 and Windows-1252",
  },
  expectation_failed: { statuses: [417], when: "an Expect header other than 100-continue" },
  headers_too_large: { statuses: [431], when: "the request's headers are too large" },
  internal_error: { statuses: [500], when: "the shim failed; logged at error level" },
  upstream_unavailable: { statuses: [503], when: "v2 is down or did not answer" },
  upstream_rate_limited: { statuses: [503], when: "v2 rate-limited the key on every attempt; see Retry-After" },
  upstream_invalid_answer: { statuses: [503], when: "v2's answer cannot be read; logged" },
  rate_limited: { statuses: [503], when: "the shim held the call back to keep the key under v2's limits; see Retry-After" },
  shutting_down: { statuses: [503], when: "the instance is draining; send again" },
  migration_brownout: {
    statuses: [503],
    when: "the account is in a brownout of its migration plan and this call fell in the refused share: nothing was sent to v2; see Retry-After (the window's end)",
  },
  state_unavailable: { statuses: [503], when: "SHIM_STATE_REQUIRED=true and the state store is down: nothing was sent to v2" },
  too_many_failed_logins: {
    statuses: [429],
    when: "too many failed logins for the account or from the address; the credentials were not checked; see Retry-After",
  },
  too_many_failed_admin_tokens: {
    statuses: [429],
    when: "too many wrong admin tokens from the address; the token was not checked; see Retry-After",
  },
  too_busy: { statuses: [503], when: "accounts mode: too many credential checks are waiting for a key hash; see Retry-After" },
} as const satisfies Record<string, { statuses: readonly number[]; when: string }>;

type V1ErrorCode = keyof typeof V1_ERROR_CATALOGUE;
export type V1ErrorStatus = (typeof V1_ERROR_CATALOGUE)[V1ErrorCode]["statuses"][number];

/** A code of the catalogue with a field's name in it: `required_param:org_name`. */
export const fieldErrorCode = (kind: "required_param" | "invalid_param", field: string): string => `${kind}:${field}`;

/** A refusal the client is to hear about as a v1 error body. */
export class V1Error extends Error {
  constructor(
    readonly status: V1ErrorStatus,
    readonly errors: readonly V1ErrorItem[],
    readonly headers: Readonly<Record<string, string>> = {},
    /** Set: the refusal is logged at error level with the request, for an operator to look into. */
    readonly alert?: string,
  ) {
    super(errors.map((e) => e.code).join(", "));
    this.name = "V1Error";
  }
}

type SingleStatusCode = {
  [C in V1ErrorCode]: (typeof V1_ERROR_CATALOGUE)[C]["statuses"] extends readonly [number] ? C : never;
}[V1ErrorCode];

/** One error of the catalogue, with the one status it comes with. */
const one = (code: SingleStatusCode, description: string, headers?: Record<string, string>, alert?: string) =>
  new V1Error(V1_ERROR_CATALOGUE[code].statuses[0], [{ code, description }], headers, alert);

const SERVES = "this service serves Code Signing orders (POST /order/code) and order details (GET /order/{order_id}) only.";

const BASIC_CHALLENGE = 'Basic realm="DigiCert REST v1", charset="UTF-8"';

export const v1Errors = {
  credentialsRefused: () => one("access_denied", "The account id and API key were not accepted.", { "WWW-Authenticate": BASIC_CHALLENGE }),
  credentialChecksBusy: () =>
    one("too_busy", "Too many credential checks are waiting just now; retry after the time in Retry-After.", { "Retry-After": "1" }),
  accountDisabled: () => one("account_disabled", "This account is disabled in the v1 shim; ask its operator."),
  adminTokenRequired: () =>
    one("access_denied", "Send the admin token: as the password of HTTP Basic (any user name), or as Authorization: Bearer.", {
      "WWW-Authenticate": 'Basic realm="v1 shim admin", charset="UTF-8"',
    }),
  authenticationRequired: () =>
    one("access_denied", "Send HTTP Basic authentication with your account id and API key (account_id:api_key).", {
      "WWW-Authenticate": BASIC_CHALLENGE,
    }),
  unsupportedMediaType: () =>
    one(
      "unsupported_media_type",
      "Send the body as application/vnd.digicert.rest-v1+json or application/vnd.digicert.rest-v1+xml (application/json, application/xml and text/xml are accepted too).",
    ),
  unsupportedCharset: () =>
    one(
      "unsupported_media_type",
      "Send the body in UTF-8; ISO-8859-1 and Windows-1252 are read too, when the Content-Type's charset (or the XML declaration) says so.",
    ),
  notAcceptable: () =>
    one(
      "not_acceptable",
      "This service answers in application/vnd.digicert.rest-v1+json or application/vnd.digicert.rest-v1+xml; the Accept header allows neither.",
    ),
  malformedBody: (why: string) => one("malformed_body", why),
  bodyTooLarge: (maxBytes: number) => one("body_too_large", `The body may be at most ${maxBytes} bytes.`),
  shuttingDown: () =>
    one("shutting_down", "This instance is shutting down; send the request again.", { Connection: "close", "Retry-After": "1" }),
  notFound: () => one("not_found", `There is no such page: ${SERVES}`),
  notServed: (path: string) =>
    one("not_served", `${path} is not served here: ${SERVES} Use the CertCentral Services API v2 for anything else.`),
  /** `allowed` includes OPTIONS; a legacy custom method is told what the shim serves instead. */
  methodNotAllowed: (method: string, allowed: readonly string[], custom: boolean) =>
    one(
      "method_not_allowed",
      custom ? `${method} is not served here: ${SERVES}` : `This path takes ${allowed.join(", ")}, not ${method}.`,
      { Allow: allowed.join(", ") },
    ),
  invalidOrderId: () => one("invalid_param:order_id", "order_id must be an order number, such as 00222307 or 222307."),
  requestTimeout: () => one("request_timeout", "The request did not arrive in time.", { Connection: "close" }),
  headersTooLarge: () => one("headers_too_large", "The request's headers are too large.", { Connection: "close" }),
  malformedRequest: () => one("malformed_request", "The request is not valid HTTP.", { Connection: "close" }),
  unreadableTarget: () =>
    one(
      "malformed_request",
      "The request's target or Host header cannot be read: send a path such as /order/code, and the service's host name.",
      { Connection: "close" },
    ),
  expectationFailed: () => one("expectation_failed", "Only Expect: 100-continue is understood; send the request without Expect."),
  upstreamUnavailable: (why: string, headers?: Record<string, string>) => one("upstream_unavailable", why, headers),
  internal: () => one("internal_error", "The service failed unexpectedly; the request was logged."),
  upstreamRateLimited: (retryAfterSeconds: number) =>
    one("upstream_rate_limited", "DigiCert is limiting the request rate for this API key; retry after the time in Retry-After.", {
      "Retry-After": String(retryAfterSeconds),
    }),
  /** The shim's own pacing held the call back; `retryAfterMs` is when a slot frees. */
  rateLimited: (retryAfterMs: number) => {
    const seconds = String(Math.max(1, Math.ceil(retryAfterMs / 1000)));
    return one("rate_limited", `Too many calls to DigiCert with this API key just now; retry after ${seconds} seconds.`, {
      "Retry-After": seconds,
    });
  },
  /** An answer in no shape v2 gives: the client hears 503, and the operator is told. */
  upstreamInvalidAnswer: (status: number) =>
    one(
      "upstream_invalid_answer",
      `DigiCert gave an answer the service cannot read (status ${status}); the operator has been told.`,
      {},
      "v2 gave an answer the shim cannot read",
    ),
  orderNotFound: (orderId: number) => one("not_found", `There is no order ${orderId} for this account.`),
  /** v2's own refusal, its codes carried; `status` is the v1 status it maps to. */
  carried: (status: (typeof V1_ERROR_CATALOGUE)["<v2 code with : for |>"]["statuses"][number], errors: readonly V1ErrorItem[]) =>
    new V1Error(status, errors),
  /** Every problem of an order's fields at once: `required_param:<field>` and `invalid_param:<field>` items. */
  invalidFields: (errors: readonly V1ErrorItem[]) => new V1Error(V1_ERROR_CATALOGUE["invalid_param:<field>"].statuses[0], errors),
  /** SHIM_STATE_REQUIRED, and the state store is down: nothing is sent to v2. */
  stateUnavailable: () =>
    one(
      "state_unavailable",
      "The service cannot reach the state it shares with its other instances; nothing was sent to DigiCert. Retry later.",
      { "Retry-After": "5" },
    ),
  /** Too many failed logins for this account or from this address: the credentials were not checked. */
  tooManyFailedLogins: (retryAfterSeconds: number) =>
    one(
      "too_many_failed_logins",
      `Too many failed logins for this account or from this address; the credentials were not checked. Retry after ${retryAfterSeconds} seconds.`,
      { "Retry-After": String(retryAfterSeconds) },
    ),
  /** A brownout of the account's migration plan refused the call; `until` is the window's end, and when to send it again. */
  migrationBrownout: (until: string, retryAfterSeconds: number, migrationUrl: string, sunset: string | undefined) =>
    one(
      "migration_brownout",
      `v1 is being retired for this account${sunset ? ` (its sunset: ${sunset})` : ""}. Until ${until} its calls are in a brownout, a rehearsal of that day, and this one was refused: nothing was sent to DigiCert. Send it again after ${until}, and move this client to the CertCentral Services API v2: ${migrationUrl}`,
      { "Retry-After": String(Math.max(1, retryAfterSeconds)) },
    ),
  /** The account's sunset has passed, and its plan refuses its calls since. */
  sunset: (at: string, migrationUrl: string) =>
    one(
      "sunset",
      `v1 was retired for this account on ${at}: nothing was sent to DigiCert. Move this client to the CertCentral Services API v2: ${migrationUrl}`,
    ),
  /** Too many wrong admin tokens from this address: the token was not compared. */
  tooManyFailedAdminTokens: (retryAfterSeconds: number) =>
    one(
      "too_many_failed_admin_tokens",
      `Too many wrong admin tokens from this address; the token was not checked. Retry after ${retryAfterSeconds} seconds.`,
      { "Retry-After": String(retryAfterSeconds) },
    ),
  invalidIdempotencyKey: () => one("invalid_param:idempotency_key", "Idempotency-Key must be 1 to 255 characters, such as a UUID."),
  idempotencyKeyInProgress: () =>
    one(
      "idempotency_key_in_progress",
      "The first request with this Idempotency-Key is still being placed; send it again once it has been answered.",
    ),
  idempotencyKeyReused: () =>
    one("idempotency_key_reused", "This Idempotency-Key was used before with another order; use a new key for a new order."),
  /** A query parameter of one of the shim's own endpoints, refused as a field would be. */
  invalidQuery: (name: string, description: string) =>
    new V1Error(V1_ERROR_CATALOGUE["invalid_param:<field>"].statuses[0], [{ code: fieldErrorCode("invalid_param", name), description }]),
};
