import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { V1Error } from "../contract/v1-errors.js";
import type { ShimEnv } from "./env.js";
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
function v1Answer(c: Context<ShimEnv>, status: ContentfulStatusCode, text: string, headers: Record<string, string>): Response {
  const requestId = c.get("requestId");
  return new Response(text, { status, headers: requestId === undefined ? headers : { "X-Request-Id": requestId, ...headers } });
}

export function sendV1(c: Context<ShimEnv>, status: ContentfulStatusCode, payload: Record<string, unknown>): Response {
  const { contentType, text } = renderSuccess(c.get("format"), payload);
  return v1Answer(c, status, text, { "Content-Type": contentType, "Content-Length": lengthOf(text) });
}

/** In the negotiated format; JSON when none was agreed, which is always the case for a 406. */
export function sendV1Error(c: Context<ShimEnv>, error: V1Error): Response {
  const { contentType, text } = renderErrors(c.get("format") ?? "json", error.errors);
  c.get("log").errors = error.errors.map((e) => e.code);
  return v1Answer(c, error.status, text, { ...error.headers, "Content-Type": contentType, "Content-Length": lengthOf(text) });
}
