import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { V1Error } from "../contract/v1-errors.js";
import { type ShimEnv, settled } from "./env.js";
import { renderErrors, renderSuccess } from "./render.js";

// Content-Length is set here, not left to the server, so that a HEAD, which has
// no body to measure, still carries the length GET would.
const lengthOf = (text: string) => String(Buffer.byteLength(text));

/**
 * A v1 answer as one Response whose headers are a plain object, which the Node
 * adapter writes as they are: `c.body()` after `c.header()` builds a web
 * Headers first, about 5 µs more per answer (measured). So this answer carries
 * the request's X-Request-Id itself, and a header set with `c.header()` before
 * it does not reach it: a v1 answer's headers are all given here.
 */
function v1Answer(c: Context<ShimEnv>, status: ContentfulStatusCode | 204, text: string | null, headers: Record<string, string>): Response {
  const requestId = c.get("requestId");
  return new Response(text, { status, headers: requestId === undefined ? headers : { "X-Request-Id": requestId, ...headers } });
}

export function sendV1(c: Context<ShimEnv>, status: ContentfulStatusCode, payload: Record<string, unknown>): Response {
  const { contentType, text } = renderSuccess(settled(c, "format"), payload);
  return v1Answer(c, status, text, { "Content-Type": contentType, "Content-Length": lengthOf(text) });
}

/** The shim's own JSON on the legacy surface (a translation), not a v1 answer, with the request's id as every answer there. */
export function sendShimJson(c: Context<ShimEnv>, payload: unknown): Response {
  const text = JSON.stringify(payload);
  return v1Answer(c, 200, text, { "Content-Type": "application/json", "Content-Length": lengthOf(text) });
}

/** An answer without a body (OPTIONS' 204), with the request's id as every answer on the legacy surface. */
export function sendEmpty(c: Context<ShimEnv>, status: 204, headers: Record<string, string>): Response {
  return v1Answer(c, status, null, headers);
}

/** In the negotiated format; JSON when none was agreed, which is always the case for a 406. */
export function sendV1Error(c: Context<ShimEnv>, error: V1Error): Response {
  const { contentType, text } = renderErrors(c.get("format") ?? "json", error.errors);
  const log = c.get("log");
  // The admin listener's refusals have no log line of this kind.
  if (log) log.errors = error.errors.map((e) => e.code);
  return v1Answer(c, error.status, text, { ...error.headers, "Content-Type": contentType, "Content-Length": lengthOf(text) });
}
