import type { MiddlewareHandler } from "hono";
import { routePath } from "hono/route";
import type { Logger } from "./log.js";
import type { RequestLog, ShimEnv } from "./shim-env.js";

/** One request, once answered: what the log line says, and what the usage view and the metrics count. */
export interface RequestRecord extends RequestLog {
  req_id: string;
  method: string;
  path: string;
  /** The route that answered (`/order/:order_id`), `/*` for none: a bounded label, unlike the path. */
  route: string;
  status: number;
  format: string | undefined;
  user_agent: string | undefined;
  duration_ms: number;
}

export type RequestObserver = (record: RequestRecord) => void;

/** The structured log line, one per request. It holds no header but the User-Agent. */
export const logRequest =
  (logger: Logger): RequestObserver =>
  (record) =>
    logger.info(record, "request");

/**
 * Builds each request's record once it is answered and hands it to the
 * observers; handlers add to `c.get("log")` on the way.
 */
export function observeRequests(observers: readonly RequestObserver[]): MiddlewareHandler<ShimEnv> {
  return async (c, next) => {
    const started = performance.now();
    const log: RequestLog = {};
    c.set("log", log);
    await next();
    const record: RequestRecord = {
      req_id: c.get("requestId"),
      method: c.req.method,
      path: c.req.path,
      route: routePath(c),
      status: c.res.status,
      format: c.get("format"),
      user_agent: c.req.header("User-Agent"),
      duration_ms: Math.round((performance.now() - started) * 10) / 10,
      ...log,
    };
    for (const observe of observers) observe(record);
  };
}
