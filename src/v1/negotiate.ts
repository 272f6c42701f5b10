import type { MiddlewareHandler } from "hono";
import type { ShimEnv } from "../shim-env.js";
import { v1Errors } from "./errors.js";
import { negotiateFormat } from "./formats.js";

/** Settles the answer's format before anything can fail, so that every refusal is rendered in it. */
export const negotiate: MiddlewareHandler<ShimEnv> = async (c, next) => {
  const format = negotiateFormat(c.req.header("Accept"), c.req.header("Content-Type"));
  if (!format) throw v1Errors.notAcceptable();
  c.set("format", format);
  await next();
};
