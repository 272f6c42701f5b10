import type { MiddlewareHandler } from "hono";
import { routePath } from "hono/route";
import type { Tracing } from "../observability/tracing.js";
import type { ShimEnv } from "./env.js";

/** Each legacy request in its span; the request's log line carries the trace id. Installed only with tracing on. */
export function traceRequests(tracing: Pick<Tracing, "traceRequest">): MiddlewareHandler<ShimEnv> {
  return function traceRequest(c, next) {
    return tracing.traceRequest(
      { method: c.req.method, path: c.req.path, requestId: c.get("requestId"), header: (name) => c.req.header(name) },
      async (traceId) => {
        c.get("log").trace_id = traceId;
        await next();
        return { status: c.res.status, route: routePath(c) };
      },
    );
  };
}
