import { z } from "zod";
import type { Config } from "../config/config.js";
import { BODY_TYPES, ERROR_CONTENT_TYPES, SUCCESS_CONTENT_TYPES } from "../contract/media-types.js";
import { orderIdParamSchema, v1OrderCreatedSchemaFor, v1OrderDetailsSchemaFor } from "../contract/v1-answers.js";
import { V1_ERROR_CATALOGUE, type V1ErrorStatus, v1ErrorBodySchema } from "../contract/v1-errors.js";
import { makeV1OrderSchema } from "../contract/v1-order.js";
import { v2RequestPreviewSchema } from "../contract/v2.js";
import { SHIM_VERSION } from "../contract/version.js";

// The contract as a document. Every body is generated from the zod schema that
// validates or types it, so the document cannot say other than the shim does;
// only the prose around the schemas is written here.

type ErrorStatus = V1ErrorStatus;

/** Each status's codes, from the catalogue, with when each is answered. */
const ERROR_STATUSES = Object.entries(V1_ERROR_CATALOGUE).reduce(
  (described, [code, { statuses, when }]) => {
    for (const status of statuses) described[status] = [described[status], `${code}: ${when}.`].filter(Boolean).join(" ");
    return described;
  },
  {} as Record<ErrorStatus, string>,
);

// What each kind of request can be answered: only a body can be too large or of the
// wrong type, only an order id can be unknown, and only a POST can carry an override.
const BODY_ERRORS: readonly ErrorStatus[] = [400, 401, 403, 405, 406, 408, 413, 415, 417, 429, 431, 500, 503];
/**
 * An order can also carry an Idempotency-Key that is in use, or was used with another order. Legacy calls (orders and
 * reads, not the translation) can also be refused by the migration plan: 410 after a sunset, 503 in a brownout.
 */
const ORDER_ERRORS: readonly ErrorStatus[] = [400, 401, 403, 405, 406, 408, 409, 410, 413, 415, 417, 422, 429, 431, 500, 503];
const ORDER_DETAILS_ERRORS: readonly ErrorStatus[] = [400, 401, 403, 404, 406, 408, 410, 429, 431, 500, 503];

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
export function openApiDocument(config: Pick<Config, "platforms" | "orderIdFormat" | "basePaths">) {
  // The legacy paths are served at the root and under each base path; the shim's own at the root only.
  const legacyServers = [
    { url: "/" },
    ...config.basePaths.map((url) => ({ url, description: "A legacy client's base URL, host swapped." })),
  ];
  const orderDetails = {
    "200": {
      description:
        "The order's details, read from v2; every field always present, empty (an empty text, false or 0) when v2 has nothing for it. In XML <response><certificate_details>…</certificate_details><receipt>…</receipt></response>, a list as a wrapper of singular children (<sans><san>…</san></sans>). A strong ETag, the SHA-1 of the body, comes with every answer.",
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
        servers: legacyServers,
        post: {
          operationId: "orderCode",
          summary: "Order a Code Signing or EV Code Signing certificate",
          requestBody: orderRequestBody,
          responses: {
            "201": {
              description: "The order was placed with v2; in XML <response><order_id>…</order_id></response>.",
              content: successContent("V1OrderCreated"),
            },
            ...errorResponses(ORDER_ERRORS),
          },
        },
      },
      "/order/{order_id}": {
        servers: legacyServers,
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
