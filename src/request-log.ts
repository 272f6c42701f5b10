import type { MiddlewareHandler } from "hono";
import type { Logger } from "./log.js";
import type { RequestLog, ShimEnv } from "./shim-env.js";

/**
 * One structured line per request, written when the answer is known. Handlers
 * add to `c.var.log`; nothing here reads headers other than the User-Agent.
 */
export function requestLog(logger: Logger): MiddlewareHandler<ShimEnv> {
  return async (c, next) => {
    const started = performance.now();
    const log: RequestLog = {};
    c.set("log", log);
    await next();
    logger.info(
      {
        req_id: c.var.requestId,
        method: c.req.method,
        path: c.req.path,
        status: c.res.status,
        format: c.var.format,
        user_agent: c.req.header("User-Agent"),
        duration_ms: Math.round((performance.now() - started) * 10) / 10,
        ...log,
      },
      "request",
    );
  };
}
