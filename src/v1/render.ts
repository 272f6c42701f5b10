import type { V1ErrorItem } from "./errors.js";
import { ERROR_CONTENT_TYPES, SUCCESS_CONTENT_TYPES, type Format } from "./formats.js";
import { buildXml } from "./xml.js";

export interface Rendered {
  contentType: string;
  text: string;
}

/** A v1 success body: the object itself in JSON, `<response>…</response>` in XML. */
export function renderSuccess(format: Format, payload: Record<string, unknown>): Rendered {
  return {
    contentType: SUCCESS_CONTENT_TYPES[format],
    text: format === "json" ? JSON.stringify(payload) : buildXml("response", payload),
  };
}

/** `{"errors":[{code, description}]}`, or `<errors><error><code/><description/></error></errors>`. */
export function renderErrors(format: Format, errors: readonly V1ErrorItem[]): Rendered {
  return {
    contentType: ERROR_CONTENT_TYPES[format],
    text: format === "json" ? JSON.stringify({ errors }) : buildXml("errors", { error: errors }),
  };
}
