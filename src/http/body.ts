import type { Context, MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { bodyCharset, bodyFormat, type Format } from "../contract/media-types.js";
import { v1Errors } from "../contract/v1-errors.js";
import { type ShimEnv, settled } from "./env.js";
import { requestHeader } from "./request-header.js";

// The encodings a body may come in: UTF-8, as the legacy docs say all text is, and
// the Latin-1 of old clients, read as Windows-1252 (its superset), as browsers read it.
const READABLE_ENCODINGS: ReadonlySet<string> = new Set(["utf-8", "windows-1252"]);

/** The encoding a charset label names (`latin1` is `windows-1252`), when the shim reads it; else a 415. */
function readableEncoding(label: string): string {
  let encoding: string | undefined;
  try {
    encoding = new TextDecoder(label).encoding;
  } catch {
    // A label no encoding has.
  }
  if (!encoding || !READABLE_ENCODINGS.has(encoding)) throw v1Errors.unsupportedCharset();
  return encoding;
}

/** The body's format and declared charset by its Content-Type, or a 415 before the body is read. */
export function settleBodyFormat(c: Context<ShimEnv>): void {
  const contentType = requestHeader(c, "content-type");
  const format = bodyFormat(contentType);
  if (!format) throw v1Errors.unsupportedMediaType();
  const charset = bodyCharset(contentType);
  c.set("bodyFormat", format);
  c.set("bodyEncoding", charset === undefined ? undefined : readableEncoding(charset));
}

/** `<?xml version="1.0" encoding="ISO-8859-1"?>`, read from the bytes before the text is decoded. */
function xmlDeclaredEncoding(bytes: Uint8Array): string | undefined {
  const start = new TextDecoder("windows-1252").decode(bytes.subarray(0, 200));
  return start.match(/^\s*<\?xml\s[^>]*?encoding\s*=\s*["']([A-Za-z0-9._:-]+)["']/)?.[1];
}

/**
 * The body as text, in the encoding its Content-Type declares, or for XML its
 * declaration; UTF-8 by default. Bytes that are not UTF-8 are a 400, never text
 * with U+FFFD in it: an order for M\uFFFDller is not what the client meant.
 */
export async function readBodyText(c: Context<ShimEnv>): Promise<string> {
  const bytes = new Uint8Array(await c.req.arrayBuffer());
  const declared = settled(c, "bodyFormat") === "xml" ? xmlDeclaredEncoding(bytes) : undefined;
  const encoding = c.get("bodyEncoding") ?? (declared === undefined ? "utf-8" : readableEncoding(declared));
  try {
    return new TextDecoder(encoding, { fatal: true }).decode(bytes);
  } catch {
    throw v1Errors.malformedBody(
      "The body is not valid UTF-8; a body in ISO-8859-1 or Windows-1252 must say so in the Content-Type's charset.",
    );
  }
}

/**
 * A 413 as soon as the body passes its limit, before it is parsed: XML bodies
 * have a tighter one, since parsing XML costs far more than reading JSON. A
 * declared Content-Length is checked here: Node's parser then delivers exactly
 * that many bytes. Only a body without one goes through hono's bodyLimit, which
 * counts while reading, but through a full web Request: a fifth of an order's
 * CPU, the profile showed, for the length a legacy client nearly always declares.
 */
export function bodySizeCheck(limits: Readonly<Record<Format, number>>): (c: Context<ShimEnv>) => MiddlewareHandler<ShimEnv> | undefined {
  const bounded = (maxBytes: number) => {
    const tooLarge = () => {
      throw v1Errors.bodyTooLarge(maxBytes);
    };
    return { maxBytes, tooLarge, whileReading: bodyLimit({ maxSize: maxBytes, onError: tooLarge }) };
  };
  const byFormat = { json: bounded(limits.json), xml: bounded(limits.xml) };
  /** A 413 for a declared length over the limit; for a body without one, the middleware that reads it counting, then calls on. */
  return function checkBodySize(c) {
    const { maxBytes, tooLarge, whileReading } = byFormat[settled(c, "bodyFormat")];
    const declared = requestHeader(c, "content-length");
    if (declared === undefined || requestHeader(c, "transfer-encoding") !== undefined) return whileReading;
    if (Number(declared) > maxBytes) tooLarge();
    return undefined;
  };
}
