import { z } from "zod";

// One line of a capture file: a legacy request as the shim received it, the v2
// calls it made, what v2 answered, and the v1 answer. No credential is in it: of
// the Authorization header only the account id and what became of the
// credentials; never a v2 key, never an admin token (src/capture/scrub.ts).

/** The format's version: a reader refuses lines of another. */
export const CAPTURE_FORMAT = 1;

const headersSchema = z.record(z.string(), z.string());

/** The request headers kept, those that shape the answer or tell the client apart (lower case); never Authorization. */
export const CAPTURED_REQUEST_HEADERS = [
  "accept",
  "content-type",
  "user-agent",
  "x-http-method-override",
  "if-none-match",
  "idempotency-key",
  "x-request-id",
] as const;

/**
 * What came of the request's credentials: `none` (no Authorization header),
 * `unusable` (not Basic account_id:api_key the shim could use), `accepted`
 * (the request acted for the account), `refused` (the shim refused them: a
 * wrong key in accounts mode), `unchecked` (answered before they were checked,
 * a 406 say).
 */
export const credentialsSchema = z.enum(["none", "unusable", "accepted", "refused", "unchecked"]);
export type Credentials = z.infer<typeof credentialsSchema>;

/** The body as received: text when it is UTF-8, base64 otherwise; `unread` when the shim answered without reading it. */
const requestBodySchema = z.discriminatedUnion("as", [
  z.object({ as: z.literal("none") }),
  z.object({ as: z.literal("text"), text: z.string() }),
  z.object({ as: z.literal("base64"), base64: z.string() }),
  /** Refused before it was read (credentials, media type, a declared length over the limit): its declared length, if any. */
  z.object({ as: z.literal("unread"), length: z.number().int().nonnegative().optional() }),
]);

export const v2CallNameSchema = z.enum(["create_order", "find_by_alternative_id", "get_order", "other"]);
export type V2CallName = z.infer<typeof v2CallNameSchema>;

/** What v2 answered one call: its status, the headers that matter, its body (JSON, or `text` when it was not); or no answer. */
const v2AnswerSchema = z.union([
  z.object({
    status: z.number().int(),
    headers: headersSchema,
    body: z.unknown().optional(),
    text: z.string().optional(),
  }),
  /** Refused, reset, timed out, too large: a short code (ECONNRESET), never a message. */
  z.object({ no_answer: z.string() }),
]);
export type CapturedV2Answer = z.infer<typeof v2AnswerSchema>;

const v2CallSchema = z.object({
  call: v2CallNameSchema,
  method: z.string(),
  /** Below the v2 base URL, e.g. `/order/certificate/code_signing_ev`. */
  path: z.string(),
  /** The JSON sent, for a POST. */
  body: z.unknown().optional(),
  answer: v2AnswerSchema,
  /** When it began, in milliseconds after the request arrived, and how long it took. */
  after_ms: z.number().nonnegative(),
  ms: z.number().nonnegative(),
});
export type CapturedV2Call = z.infer<typeof v2CallSchema>;

export const captureRecordSchema = z.object({
  capture: z.literal(CAPTURE_FORMAT),
  /** When the request arrived, ISO 8601 UTC. */
  at: z.iso.datetime(),
  req_id: z.string(),
  /** The shim that answered: its version, its mode, its v2 (a URL, or `sandbox`), and the settings that shape every answer. */
  shim: z.object({
    version: z.string(),
    mode: z.enum(["passthrough", "accounts"]),
    v2: z.string(),
    order_id_format: z.enum(["number", "padded"]),
  }),
  /** The Basic credentials' account id, when the request carried usable ones. */
  account_id: z.string().optional(),
  credentials: credentialsSchema,
  /** Accounts mode: how the accounts file maps the account (nothing secret). */
  account_mapping: z
    .object({
      container_id: z.number().int().optional(),
      organization_id: z.number().int().optional(),
      add_verified_contact: z.boolean().optional(),
    })
    .optional(),
  request: z.object({
    method: z.string(),
    /** The request target as received, base path and query included: `/clients/rest/api/order/code`. */
    target: z.string(),
    headers: headersSchema,
    body: requestBodySchema,
  }),
  v2: z.array(v2CallSchema),
  answer: z.object({ status: z.number().int(), headers: headersSchema, body: z.string() }),
  /** From the request's log line: what an operator, and replay, go by. */
  log: z.object({
    alternative_order_id: z.string().optional(),
    v2_order_id: z.number().optional(),
    recovered_by_lookup: z.boolean().optional(),
    replayed_from: z.string().optional(),
    errors: z.array(z.string()).optional(),
  }),
  duration_ms: z.number().nonnegative(),
});
export type CaptureRecord = z.infer<typeof captureRecordSchema>;

/** Which v2 call a method and path are, as the metrics name them. */
export function v2CallName(method: string, path: string): V2CallName {
  if (method === "POST" && path.startsWith("/order/certificate/")) return "create_order";
  if (method === "GET" && path.startsWith("/order/alternate/")) return "find_by_alternative_id";
  if (method === "GET" && /^\/order\/certificate\/\d+$/.test(path)) return "get_order";
  return "other";
}

/** A message body as a record keeps it: its JSON when it reads as JSON, its text otherwise. */
export function bodyValue(text: string): { json: unknown } | { text: string } {
  try {
    return { json: JSON.parse(text) };
  } catch {
    return { text };
  }
}

/** The body's value itself, JSON or text. */
export const bodyOf = (text: string): unknown => {
  const value = bodyValue(text);
  return "json" in value ? value.json : value.text;
};

/**
 * An Authorization header that does what the captured credentials did, none
 * having been captured: `key` as the account's legacy key, a wrong key for
 * credentials that were refused, a header without a colon for unusable ones.
 */
export function authorizationFor(record: CaptureRecord, key: string): string | undefined {
  const basic = (text: string) => `Basic ${Buffer.from(text).toString("base64")}`;
  if (record.credentials === "none") return undefined;
  if (record.credentials === "unusable") return basic("no-colon");
  return basic(`${record.account_id}:${record.credentials === "refused" ? `${key}-wrong` : key}`);
}

/** The body to send again for a captured request: as it came, or as many filler bytes as it declared when it was never read. */
export function bodyToSend(body: CaptureRecord["request"]["body"]): string | Buffer | undefined {
  if (body.as === "text") return body.text;
  if (body.as === "base64") return Buffer.from(body.base64, "base64");
  return body.as === "unread" && body.length ? "x".repeat(body.length) : undefined;
}
