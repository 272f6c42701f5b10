import { parseAccept } from "hono/utils/accept";

export type Format = "json" | "xml";

export const SUCCESS_CONTENT_TYPES: Readonly<Record<Format, string>> = {
  json: "application/vnd.digicert.rest-v1+json",
  xml: "application/vnd.digicert.rest-v1+xml",
};

export const ERROR_CONTENT_TYPES: Readonly<Record<Format, string>> = {
  json: "application/vnd.digicert.error+json",
  xml: "application/vnd.digicert.error+xml",
};

// The legacy types, and the generic ones real clients send too.
export const BODY_TYPES: Readonly<Record<string, Format>> = {
  [SUCCESS_CONTENT_TYPES.json]: "json",
  "application/json": "json",
  [SUCCESS_CONTENT_TYPES.xml]: "xml",
  "application/xml": "xml",
  "text/xml": "xml",
};

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

/** The format of a request body, by its media type; parameters such as charset are ignored. */
export function bodyFormat(contentType: string | undefined): Format | undefined {
  if (!contentType) return undefined;
  const mediaType = contentType.split(";", 1)[0]!.trim().toLowerCase();
  return Object.hasOwn(BODY_TYPES, mediaType) ? BODY_TYPES[mediaType] : undefined;
}

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
