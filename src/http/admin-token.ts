import type { MiddlewareHandler } from "hono";
import { auth } from "hono/utils/basic-auth";
import { timingSafeEqual } from "hono/utils/buffer";
import { v1Errors } from "../contract/v1-errors.js";
import type { ShimEnv } from "./env.js";

/** What the request offers as the admin token: a Bearer token, or the password of HTTP Basic (any user name). */
function offeredToken(request: Request): string | undefined {
  const header = request.headers.get("authorization") ?? "";
  const bearer = header.match(/^Bearer +([\x21-\x7e]+) *$/i);
  if (bearer) return bearer[1];
  return auth(request)?.password || undefined;
}

/**
 * The admin token, as a browser can send it: Basic, so that its login prompt
 * works (any user name, the token as the password), or Bearer, as for
 * /_shim/clients. Compared as Hono's bearerAuth compares (digests, in constant time).
 * Anything else: 401 with a Basic challenge, and nothing of the page.
 */
export function requireAdminToken(token: string): MiddlewareHandler<ShimEnv> {
  return async (c, next) => {
    const offered = offeredToken(c.req.raw);
    if (offered === undefined || !(await timingSafeEqual(token, offered))) {
      const error = v1Errors.adminTokenRequired();
      return c.json({ errors: error.errors }, error.status, error.headers);
    }
    await next();
  };
}
