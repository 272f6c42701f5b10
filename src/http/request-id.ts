import { randomUUID } from "node:crypto";
import type { Context } from "hono";
import type { ShimEnv } from "./env.js";

/**
 * The shim's own id for each request, always fresh: operators reconcile orders
 * by it, so no two requests may share one, as they could if a client's
 * X-Request-Id were taken. The client's own is logged beside it, as
 * client_request_id. Every v1 answer carries it as X-Request-Id (respond.ts).
 */
export function assignRequestId(c: Context<ShimEnv>): void {
  c.set("requestId", randomUUID());
}
