import type { MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { z } from "zod";
import type { ShimEnv } from "../shim-env.js";
import { v1Errors } from "./errors.js";
import { bodyFormat, type Format } from "./formats.js";
import { parseXmlRoot, XmlRefused } from "./xml.js";

// Only the order's known fields are read from it (and copied) later, so an object is all
// this asks; a record schema would copy every key first.
const fieldsSchema = z.custom<Record<string, unknown>>((value) => typeof value === "object" && value !== null && !Array.isArray(value));

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

/** The flat v1 fields of a body, or a 400 when it is not an object of fields. */
export function parseFields(format: Format, text: string): Record<string, unknown> {
  let content: unknown;
  if (format === "json") {
    try {
      content = JSON.parse(text);
    } catch {
      throw v1Errors.malformedBody("The body is not valid JSON.");
    }
  } else {
    try {
      content = parseXmlRoot(text);
    } catch (error) {
      if (error instanceof XmlRefused) throw v1Errors.malformedBody(error.message);
      throw error;
    }
  }
  const fields = fieldsSchema.safeParse(content);
  if (!fields.success) {
    throw v1Errors.malformedBody(
      format === "json" ? "The JSON body must be an object of v1 fields." : "The XML root element must hold the order's fields as child elements.",
    );
  }
  return fields.data;
}
