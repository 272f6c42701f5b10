import { z } from "zod";

// The legacy error body: {"errors":[{"code":"required_param:note","description":"Note is required"}]}.
// Only two codes were ever documented; the rest below are the shim's own, in the
// same style, and the README lists them.

const v1ErrorItemSchema = z.object({ code: z.string(), description: z.string() });
export type V1ErrorItem = z.infer<typeof v1ErrorItemSchema>;
export const v1ErrorBodySchema = z.object({ errors: z.array(v1ErrorItemSchema).min(1) });

/** A refusal the client is to hear about as a v1 error body. */
export class V1Error extends Error {
  constructor(
    readonly status: 400 | 401 | 403 | 404 | 405 | 406 | 408 | 413 | 415 | 429 | 431 | 500 | 503,
    readonly errors: readonly V1ErrorItem[],
    readonly headers: Readonly<Record<string, string>> = {},
    /** Set: the refusal is logged at error level with the request, for an operator to look into. */
    readonly alert?: string,
  ) {
    super(errors.map((e) => e.code).join(", "));
    this.name = "V1Error";
  }
}

const one = (status: V1Error["status"], code: string, description: string, headers?: Record<string, string>) =>
  new V1Error(status, [{ code, description }], headers);

const SERVES = "this service serves Code Signing orders (POST /order/code) and order details (GET /order/{order_id}) only.";

const BASIC_CHALLENGE = 'Basic realm="DigiCert REST v1", charset="UTF-8"';

export const v1Errors = {
  credentialsRefused: () =>
    one(401, "access_denied", "The account id and API key were not accepted.", { "WWW-Authenticate": BASIC_CHALLENGE }),
  accountDisabled: () => one(403, "account_disabled", "This account is disabled in the v1 shim; ask its operator."),
  authenticationRequired: () =>
    one(401, "access_denied", "Send HTTP Basic authentication with your account id and API key (account_id:api_key).", {
      "WWW-Authenticate": BASIC_CHALLENGE,
    }),
  unsupportedMediaType: () =>
    one(
      415,
      "unsupported_media_type",
      "Send the body as application/vnd.digicert.rest-v1+json or application/vnd.digicert.rest-v1+xml (application/json, application/xml and text/xml are accepted too).",
    ),
  notAcceptable: () =>
    one(
      406,
      "not_acceptable",
      "This service answers in application/vnd.digicert.rest-v1+json or application/vnd.digicert.rest-v1+xml; the Accept header allows neither.",
    ),
  malformedBody: (why: string) => one(400, "malformed_body", why),
  bodyTooLarge: (maxBytes: number) => one(413, "body_too_large", `The body may be at most ${maxBytes} bytes.`),
  shuttingDown: () =>
    one(503, "shutting_down", "This instance is shutting down; send the request again.", { Connection: "close", "Retry-After": "1" }),
  notFound: () => one(404, "not_found", `There is no such page: ${SERVES}`),
  notServed: (path: string) =>
    one(404, "not_served", `${path} is not served here: ${SERVES} Use the CertCentral Services API v2 for anything else.`),
  /** `allowed` includes OPTIONS; a legacy custom method is told what the shim serves instead. */
  methodNotAllowed: (method: string, allowed: readonly string[], custom: boolean) =>
    one(
      405,
      "method_not_allowed",
      custom ? `${method} is not served here: ${SERVES}` : `This path takes ${allowed.join(", ")}, not ${method}.`,
      { Allow: allowed.join(", ") },
    ),
  invalidOrderId: () => one(400, "invalid_param:order_id", "order_id must be an order number, such as 00222307 or 222307."),
  requestTimeout: () => one(408, "request_timeout", "The request did not arrive in time.", { Connection: "close" }),
  headersTooLarge: () => one(431, "headers_too_large", "The request's headers are too large.", { Connection: "close" }),
  malformedRequest: () => one(400, "malformed_request", "The request is not valid HTTP.", { Connection: "close" }),
  upstreamUnavailable: (why: string, headers?: Record<string, string>) => one(503, "upstream_unavailable", why, headers),
  /** SHIM_STATE_REQUIRED, and the state store is down: nothing is sent to v2. */
  stateUnavailable: () =>
    one(
      503,
      "state_unavailable",
      "The service cannot reach the state it shares with its other instances; nothing was sent to DigiCert. Retry later.",
      {
        "Retry-After": "5",
      },
    ),
  /** Too many failed logins for this account or from this address: the credentials were not checked. */
  tooManyFailedLogins: (retryAfterSeconds: number) =>
    one(
      429,
      "too_many_failed_logins",
      `Too many failed logins for this account or from this address; the credentials were not checked. Retry after ${retryAfterSeconds} seconds.`,
      { "Retry-After": String(retryAfterSeconds) },
    ),
  /** A query parameter of one of the shim's own endpoints. */
  invalidQuery: (name: string, description: string) => one(400, `invalid_param:${name}`, description),
  internal: () => one(500, "internal_error", "The service failed unexpectedly; the request was logged."),
};
