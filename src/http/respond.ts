import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { V1Error } from "../contract/v1-errors.js";
import type { ShimEnv } from "./env.js";
import { renderErrors, renderSuccess } from "./render.js";

// Content-Length is set here, not left to the server, so that a HEAD, which has
// no body to measure, still carries the length GET would.
const lengthOf = (text: string) => String(Buffer.byteLength(text));

export function sendV1(c: Context<ShimEnv>, status: ContentfulStatusCode, payload: Record<string, unknown>): Response {
  const { contentType, text } = renderSuccess(c.get("format"), payload);
  return c.body(text, status, { "Content-Type": contentType, "Content-Length": lengthOf(text) });
}

/** In the negotiated format; JSON when none was agreed, which is always the case for a 406. */
export function sendV1Error(c: Context<ShimEnv>, error: V1Error): Response {
  const { contentType, text } = renderErrors(c.get("format") ?? "json", error.errors);
  c.get("log").errors = error.errors.map((e) => e.code);
  return c.body(text, error.status, { ...error.headers, "Content-Type": contentType, "Content-Length": lengthOf(text) });
}
