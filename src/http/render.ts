import { STATUS_CODES } from "node:http";
import { ERROR_CONTENT_TYPES, type Format, SUCCESS_CONTENT_TYPES } from "../contract/media-types.js";
import type { V1Error, V1ErrorItem } from "../contract/v1-errors.js";
import { buildXml } from "../mapping/xml.js";
import { negotiateFormat } from "./negotiate.js";

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

/** What every v1 answer given below the app carries, as it is when the answer is given: the deprecation signals of the plan's default. */
export type AlwaysHeaders = () => Readonly<Record<string, string>>;

/** A refusal in the format the request's Accept (or body) negotiates, JSON when none: the status, headers and body to write. */
export function v1ErrorAnswer(
  refusal: V1Error,
  accept: string | undefined,
  contentType: string | undefined,
  alwaysHeaders: Readonly<Record<string, string>>,
): { status: number; headers: Record<string, string>; text: string } {
  const rendered = renderErrors(negotiateFormat(accept, contentType) ?? "json", refusal.errors);
  return {
    status: refusal.status,
    headers: {
      ...alwaysHeaders,
      ...refusal.headers,
      "Content-Type": rendered.contentType,
      "Content-Length": String(Buffer.byteLength(rendered.text)),
    },
    text: rendered.text,
  };
}

/** The same as a whole HTTP/1.1 message, for a socket no response object stands for; the connection closes after it. */
export function rawV1Error(
  refusal: V1Error,
  accept: string | undefined,
  contentType: string | undefined,
  alwaysHeaders: Readonly<Record<string, string>>,
): string {
  const { status, headers, text } = v1ErrorAnswer(refusal, accept, contentType, alwaysHeaders);
  const head = Object.entries({ ...headers, Connection: "close" })
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join("");
  return `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n${head}\r\n${text}`;
}
