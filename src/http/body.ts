import type { MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { bodyFormat } from "../contract/media-types.js";
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
 * A 413 as soon as the body passes `maxBytes`, before it is parsed. A declared
 * Content-Length is checked here: Node's parser then delivers exactly that many
 * bytes. Only a body without one goes through hono's bodyLimit, which counts
 * while reading, but through a full web Request: a fifth of an order's CPU,
 * the profile showed, for the length a legacy client nearly always declares.
 */
export function limitBodySize(maxBytes: number): MiddlewareHandler<ShimEnv> {
  const tooLarge = () => {
    throw v1Errors.bodyTooLarge(maxBytes);
  };
  const whileReading = bodyLimit({ maxSize: maxBytes, onError: tooLarge });
  return async (c, next) => {
    const declared = c.req.header("Content-Length");
    if (declared === undefined || c.req.header("Transfer-Encoding") !== undefined) return whileReading(c, next);
    if (Number(declared) > maxBytes) tooLarge();
    await next();
  };
}
