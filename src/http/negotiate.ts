import type { Context } from "hono";
import { parseAccept } from "hono/utils/accept";
import { BODY_TYPES, bodyFormat, ERROR_CONTENT_TYPES, type Format } from "../contract/media-types.js";
import { v1Errors } from "../contract/v1-errors.js";
import type { ShimEnv } from "./env.js";
import { requestHeader } from "./request-header.js";

// What an Accept header may name; `application/*` names both formats, so it
// leaves the choice to the request's own format, like `*/*`.
const ACCEPTABLE: Readonly<Record<string, Format | "either">> = {
  ...BODY_TYPES,
  [ERROR_CONTENT_TYPES.json]: "json",
  [ERROR_CONTENT_TYPES.xml]: "xml",
  "text/*": "xml",
  "application/*": "either",
  "*/*": "either",
  "*": "either",
};

/**
 * The answer's format: what Accept prefers; with no Accept, or a wildcard,
 * the request body's format; with neither, JSON. `undefined` when Accept
 * names neither format (406).
 */
export function negotiateFormat(accept: string | undefined, contentType: string | undefined): Format | undefined {
  const fallback = bodyFormat(contentType) ?? "json";
  if (!accept?.trim()) return fallback;
  for (const range of parseAccept(accept)) {
    if (range.q <= 0) continue;
    const type = range.type.toLowerCase();
    if (!Object.hasOwn(ACCEPTABLE, type)) continue;
    const format = ACCEPTABLE[type]!;
    return format === "either" ? fallback : format;
  }
  return undefined;
}

/** Settles the answer's format before anything can fail, so that every refusal is rendered in it; a 406 when Accept names neither. */
export function settleFormat(c: Context<ShimEnv>): void {
  const format = negotiateFormat(requestHeader(c, "accept"), requestHeader(c, "content-type"));
  if (!format) throw v1Errors.notAcceptable();
  c.set("format", format);
}
