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

/** The format of a request body, by its media type; parameters such as charset are ignored. */
export function bodyFormat(contentType: string | undefined): Format | undefined {
  if (!contentType) return undefined;
  const mediaType = contentType.split(";", 1)[0]!.trim().toLowerCase();
  return Object.hasOwn(BODY_TYPES, mediaType) ? BODY_TYPES[mediaType] : undefined;
}

/** The `charset` parameter of a Content-Type, lowercased and unquoted; undefined when there is none. */
export function bodyCharset(contentType: string | undefined): string | undefined {
  const match = contentType?.match(/;\s*charset\s*=\s*"?([^";\s]+)"?/i);
  return match?.[1]?.toLowerCase();
}
