import { randomUUID } from "node:crypto";
import type { MiddlewareHandler } from "hono";
import type { ShimEnv } from "./env.js";

/**
 * The shim's own id for each request, always fresh, and sent back as
 * X-Request-Id: operators reconcile orders by it, so no two requests may share
 * one, as they could if a client's X-Request-Id were taken. The client's own is
 * logged beside it, as client_request_id.
 */
export const freshRequestId: MiddlewareHandler<ShimEnv> = async (c, next) => {
  const id = randomUUID();
  c.set("requestId", id);
  c.header("X-Request-Id", id);
  await next();
};
