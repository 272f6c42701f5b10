import type { MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { bodyFormat, type Format } from "../contract/media-types.js";
import { v1Errors } from "../contract/v1-errors.js";
import type { ShimEnv } from "./env.js";

/** The body's format by its Content-Type, or a 415 before the body is read. */
export const requireBodyFormat: MiddlewareHandler<ShimEnv> = async (c, next) => {
  const format = bodyFormat(c.req.header("Content-Type"));
  if (!format) throw v1Errors.unsupportedMediaType();
  c.set("bodyFormat", format);
  await next();
};

/**
 * A 413 as soon as the body passes its limit, before it is parsed: XML bodies
 * have a tighter one, since parsing XML costs far more than reading JSON. A
 * declared Content-Length is checked here: Node's parser then delivers exactly
 * that many bytes. Only a body without one goes through hono's bodyLimit, which
 * counts while reading, but through a full web Request: a fifth of an order's
 * CPU, the profile showed, for the length a legacy client nearly always declares.
 */
export function limitBodySize(limits: Readonly<Record<Format, number>>): MiddlewareHandler<ShimEnv> {
  const bounded = (maxBytes: number) => {
    const tooLarge = () => {
      throw v1Errors.bodyTooLarge(maxBytes);
    };
    return { maxBytes, tooLarge, whileReading: bodyLimit({ maxSize: maxBytes, onError: tooLarge }) };
  };
  const byFormat = { json: bounded(limits.json), xml: bounded(limits.xml) };
  return async (c, next) => {
    const { maxBytes, tooLarge, whileReading } = byFormat[c.get("bodyFormat")];
    const declared = c.req.header("Content-Length");
    if (declared === undefined || c.req.header("Transfer-Encoding") !== undefined) return whileReading(c, next);
    if (Number(declared) > maxBytes) tooLarge();
    await next();
  };
}
