import { z } from "zod";
import type { Config } from "../config/config.js";
import { BODY_TYPES, ERROR_CONTENT_TYPES, SUCCESS_CONTENT_TYPES } from "../contract/media-types.js";
import { orderIdParamSchema, v1OrderCreatedSchemaFor, v1OrderDetailsSchemaFor } from "../contract/v1-answers.js";
import { type V1Error, v1ErrorBodySchema } from "../contract/v1-errors.js";
import { makeV1OrderSchema } from "../contract/v1-order.js";
import { v2RequestPreviewSchema } from "../contract/v2.js";
import { SHIM_VERSION } from "../contract/version.js";

// The contract as a document. Every body is generated from the zod schema that
// validates or types it, so the document cannot say other than the shim does;
// only the prose around the schemas is written here.

type ErrorStatus = V1Error["status"];

// Every status a V1Error may have must be described here (the Record says so),
// with the codes of the README's "Error codes the shim defines".
const ERROR_STATUSES: Record<ErrorStatus, string> = {
  400: "For an order, required_param:<field> or invalid_param:<field> for every field with a problem, or malformed_body; for order details, invalid_param:order_id; malformed_request; or a v2 refusal's codes, with : for |.",
  401: "access_denied (no usable Basic credentials or, in accounts mode, credentials not accepted), or v2's codes for a key it refuses; with WWW-Authenticate.",
  403: "account_disabled (accounts mode), or v2's codes for another refusal.",
  404: "not_found:order (v2's code) or not_found: v2 has no such order for this key.",
  405: "method_not_allowed: the path does not take the method, or X-HTTP-Method-Override names one it does not take; Allow says which it takes.",
  406: "not_acceptable: Accept allows neither JSON nor XML; always as application/vnd.digicert.error+json.",
  408: "request_timeout: the request did not arrive within the server's timeouts.",
  413: "body_too_large: the body is larger than SHIM_MAX_BODY_BYTES.",
  415: "unsupported_media_type: the body is neither JSON nor XML, or has no Content-Type.",
  429: "too_many_failed_logins (accounts mode): too many failed logins for the account or from the address; the credentials were not checked; with Retry-After.",
  431: "headers_too_large: the request's headers are too large.",
  500: "internal_error: the shim failed; logged.",
  503: "shutting_down (the instance is draining); where v2 is called, also upstream_unavailable, upstream_rate_limited, upstream_invalid_answer, rate_limited or state_unavailable, with Retry-After where there is one to say.",
};

// What each kind of request can be answered: only a body can be too large or of the
// wrong type, only an order id can be unknown, and only a POST can carry an override.
const BODY_ERRORS: readonly ErrorStatus[] = [400, 401, 403, 405, 406, 408, 413, 415, 429, 431, 500, 503];
const ORDER_DETAILS_ERRORS: readonly ErrorStatus[] = [400, 401, 403, 404, 406, 408, 429, 431, 500, 503];

/** The bodies, each from the zod schema that validates (input) or types (output) it. */
function componentSchemas(config: Pick<Config, "platforms" | "orderIdFormat">) {
  return {
    V1Order: z.toJSONSchema(makeV1OrderSchema(config.platforms), { io: "input" }),
    V1OrderCreated: z.toJSONSchema(v1OrderCreatedSchemaFor(config.orderIdFormat), { io: "output" }),
    V1OrderDetails: z.toJSONSchema(v1OrderDetailsSchemaFor(config.orderIdFormat), { io: "output" }),
    V1Errors: z.toJSONSchema(v1ErrorBodySchema, { io: "output" }),
    V2RequestPreview: z.toJSONSchema(v2RequestPreviewSchema, { io: "output" }),
  };
}

type ComponentName = keyof ReturnType<typeof componentSchemas>;
const ref = (name: ComponentName) => ({ $ref: `#/components/schemas/${name}` });

const ERRORS_IN_XML = "In XML: <errors><error><code/><description/></error></errors>.";

function errorResponses(statuses: readonly ErrorStatus[]) {
  const contentIn = (types: readonly string[]) => Object.fromEntries(types.map((type) => [type, { schema: ref("V1Errors") }]));
  return Object.fromEntries(
    statuses.map((status) => [
      String(status),
      // A 406 means no format was agreed, so it is always JSON.
      status === 406
        ? { description: ERROR_STATUSES[status], content: contentIn([ERROR_CONTENT_TYPES.json]) }
        : { description: `${ERROR_STATUSES[status]} ${ERRORS_IN_XML}`, content: contentIn(Object.values(ERROR_CONTENT_TYPES)) },
    ]),
  );
}

const successContent = (schema: ComponentName) =>
  Object.fromEntries(Object.values(SUCCESS_CONTENT_TYPES).map((type) => [type, { schema: ref(schema) }]));

const orderRequestBody = {
  required: true,
  description:
    "The order's fields. Values are text: JSON numbers and booleans are read as their text, surrounding whitespace is trimmed, an empty value or null counts as absent, and unknown fields are ignored. In XML, any single root element whose children are these fields.",
  content: Object.fromEntries(Object.keys(BODY_TYPES).map((type) => [type, { schema: ref("V1Order") }])),
};

/** The OpenAPI 3.1 document of the v1 surface this configuration serves; the app builds it when first asked for, then keeps it. */
export function openApiDocument(config: Pick<Config, "platforms" | "orderIdFormat">) {
  const orderDetails = {
    "200": {
      description:
        "The order's details, read from v2; in XML <response><certificate_details>…</certificate_details><receipt>…</receipt></response>, a list as a wrapper of singular children (<sans><san>…</san></sans>). A strong ETag, the SHA-1 of the body, comes with every answer.",
      headers: { ETag: { description: "A strong tag of this body; send it back as If-None-Match.", schema: { type: "string" } } },
      content: successContent("V1OrderDetails"),
    },
    "304": { description: "If-None-Match names the current ETag: no body." },
    ...errorResponses(ORDER_DETAILS_ERRORS),
  };
  const orderIdParameter = {
    name: "order_id",
    in: "path",
    required: true,
    schema: z.toJSONSchema(orderIdParamSchema, { io: "input" }),
  };
  const ifNoneMatch = {
    name: "If-None-Match",
    in: "header",
    required: false,
    description: "The ETag of an earlier answer: 304 while the order is unchanged.",
    schema: { type: "string" },
  };

  return {
    openapi: "3.1.0",
    info: {
      title: "DigiCert REST v1 (digicert-v1-shim)",
      version: SHIM_VERSION,
      description:
        "DigiCert's legacy REST v1 code-signing order API, as this shim serves it on top of the CertCentral Services API v2. Generated from the zod schemas that validate its requests and type its answers.",
    },
    security: [{ basic: [] }],
    paths: {
      "/order/code": {
        post: {
          operationId: "orderCode",
          summary: "Order a Code Signing or EV Code Signing certificate",
          requestBody: orderRequestBody,
          responses: {
            "201": {
              description: "The order was placed with v2; in XML <response><order_id>…</order_id></response>.",
              content: successContent("V1OrderCreated"),
            },
            ...errorResponses(BODY_ERRORS),
          },
        },
      },
      "/order/{order_id}": {
        parameters: [orderIdParameter],
        get: { operationId: "getOrder", summary: "The order's details", parameters: [ifNoneMatch], responses: orderDetails },
        head: {
          operationId: "headOrder",
          summary: "The order's details' headers, Content-Length included, without the body",
          parameters: [ifNoneMatch],
          responses: Object.fromEntries(
            Object.entries(orderDetails).map(([status, { description }]) => [
              status,
              { description: `GET's headers without the body. ${description}` },
            ]),
          ),
        },
      },
      "/_shim/translate/order/code": {
        post: {
          operationId: "translateOrderCode",
          summary: "The v2 request an order would become, without ordering",
          description:
            "Takes what POST /order/code takes and answers the v2 request it would send (its alternative_order_id a placeholder, no key), or the very error the order would get; never calls v2.",
          requestBody: orderRequestBody,
          responses: {
            "200": {
              description: "The v2 request, as JSON whatever Accept says.",
              content: { "application/json": { schema: ref("V2RequestPreview") } },
            },
            ...errorResponses(BODY_ERRORS),
          },
        },
      },
    },
    components: {
      securitySchemes: {
        basic: { type: "http", scheme: "basic", description: "The legacy account id and API key, as account_id:api_key." },
      },
      schemas: componentSchemas(config),
    },
  };
}
