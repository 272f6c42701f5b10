import type { Context, MiddlewareHandler } from "hono";
import { routePath } from "hono/route";
import type { TracedAnswer, Tracing } from "../observability/tracing.js";
import type { ShimEnv } from "./env.js";

/** Runs a legacy request in its span; `handle` answers it and says how. The request's log line carries the trace id. */
export function inRequestSpan<A extends TracedAnswer>(
  tracing: Pick<Tracing, "traceRequest">,
  c: Context<ShimEnv>,
  handle: () => Promise<A>,
): Promise<A> {
  return tracing.traceRequest(
    { method: c.req.method, path: c.req.path, requestId: c.get("requestId"), header: (name) => c.req.header(name) },
    (traceId) => {
      c.get("log").trace_id = traceId;
      return handle();
    },
  );
}

/** Each legacy request in its span. Installed only with tracing on. */
export function traceRequests(tracing: Pick<Tracing, "traceRequest">): MiddlewareHandler<ShimEnv> {
  return async function traceRequest(c, next) {
    await inRequestSpan(tracing, c, async () => {
      await next();
      return { status: c.res.status, route: routePath(c) };
    });
  };
}
