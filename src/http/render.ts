import { ERROR_CONTENT_TYPES, type Format, SUCCESS_CONTENT_TYPES } from "../contract/media-types.js";
import type { V1ErrorItem } from "../contract/v1-errors.js";
import { buildXml } from "../mapping/xml.js";

export interface Rendered {
  contentType: string;
  text: string;
}

/**
 * v1's XML writes a list as a wrapper of singular children:
 * `"sans": ["a"]` is `<sans><san>a</san></sans>`.
 */
function xmlShape(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(xmlShape);
  if (typeof value !== "object" || value === null) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, child]) => [
      key,
      Array.isArray(child) ? { [key.replace(/s$/, "")]: xmlShape(child) } : xmlShape(child),
    ]),
  );
}

/** A v1 success body: the object itself in JSON, `<response>…</response>` in XML. */
export function renderSuccess(format: Format, payload: Record<string, unknown>): Rendered {
  return {
    contentType: SUCCESS_CONTENT_TYPES[format],
    text: format === "json" ? JSON.stringify(payload) : buildXml("response", xmlShape(payload)),
  };
}

/** `{"errors":[{code, description}]}`, or `<errors><error><code/><description/></error></errors>`. */
export function renderErrors(format: Format, errors: readonly V1ErrorItem[]): Rendered {
  return {
    contentType: ERROR_CONTENT_TYPES[format],
    text: format === "json" ? JSON.stringify({ errors }) : buildXml("errors", { error: errors }),
  };
}
