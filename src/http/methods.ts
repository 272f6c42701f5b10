import type { Context, Hono, MiddlewareHandler } from "hono";
import { methodOverride } from "hono/method-override";
import { allowed, CUSTOM_METHODS } from "../contract/surface.js";
import { type V1Error, v1Errors } from "../contract/v1-errors.js";
import type { ShimEnv } from "./env.js";
import { requestHeader } from "./request-header.js";
import { sendEmpty } from "./respond.js";
import { methodsAt } from "./served-paths.js";

const OVERRIDE = "x-http-method-override";

/** The method a POST asks to be taken as, when it asks for another. */
function overrideOf(c: Context<ShimEnv>): string | undefined {
  if (c.req.method !== "POST") return undefined;
  const override = requestHeader(c, OVERRIDE)?.trim().toUpperCase();
  return override && override !== "POST" ? override : undefined;
}

export function refuseMethod(method: string, methods: readonly string[]): V1Error {
  return v1Errors.methodNotAllowed(method, allowed(methods), CUSTOM_METHODS.has(method));
}

/**
 * First in the chain: a POST whose X-HTTP-Method-Override names a method its
 * path takes (GET, HEAD) is dispatched again as that method, by hono's own
 * method-override, so it is handled and logged once, as if sent directly.
 */
export function honourMethodOverride(app: Hono<ShimEnv>): MiddlewareHandler<ShimEnv> {
  const redispatch = methodOverride({ app, header: OVERRIDE });
  return async function redispatchOverride(c, next) {
    const override = overrideOf(c);
    if (!override || !methodsAt(c.req.path)?.includes(override)) return next();
    const response = await redispatch(c, next);
    // The answer travels as a POST's: a HEAD's Content-Length would promise a body that never comes.
    if (override === "HEAD") response?.headers.delete("Content-Length");
    return response;
  };
}

/**
 * Any other override on a served path (a legacy custom method such as REISSUE,
 * or a method the path does not take) is a 405, and never an order.
 */
export function refuseOverride(c: Context<ShimEnv>): void {
  const override = overrideOf(c);
  const methods = override ? methodsAt(c.req.path) : undefined;
  if (override && methods) throw refuseMethod(override, methods);
}

/** OPTIONS on a served path: its methods, in Allow. */
export const answerOptions =
  (methods: readonly string[]) =>
  (c: Context<ShimEnv>): Response =>
    sendEmpty(c, 204, { Allow: allowed(methods).join(", ") });

/** Any other method on a served path: 405 with Allow. */
export const refuseOtherMethods =
  (methods: readonly string[]) =>
  (c: Context<ShimEnv>): never => {
    throw refuseMethod(c.req.method, methods);
  };
