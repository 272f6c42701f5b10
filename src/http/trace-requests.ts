import type { Context } from "hono";
import type { TracedAnswer, Tracing } from "../observability/tracing.js";
import { type ShimEnv, settled } from "./env.js";

/** Runs a legacy request in its span; `handle` answers it and says how. The request's log line carries the trace id. */
export function inRequestSpan<A extends TracedAnswer>(
  tracing: Pick<Tracing, "traceRequest">,
  c: Context<ShimEnv>,
  handle: () => Promise<A>,
): Promise<A> {
  return tracing.traceRequest(
    { method: c.req.method, path: c.req.path, requestId: settled(c, "requestId"), header: (name) => c.req.header(name) },
    (traceId) => {
      settled(c, "log").trace_id = traceId;
      return handle();
    },
  );
}
