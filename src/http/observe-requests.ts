import type { Context, MiddlewareHandler } from "hono";
import { routePath } from "hono/route";
import type { RequestLog, RequestObserver, RequestRecord } from "../observability/request-log.js";
import type { ShimEnv } from "./env.js";
import { requestHeader } from "./request-header.js";

/** A client's X-Request-Id is kept to this length: it is the client's to choose, and the log's to bound. */
const CLIENT_REQUEST_ID_LENGTH = 128;

/**
 * Builds each request's record once it is answered and hands it to the
 * observers; handlers add to `c.get("log")` on the way.
 */
export function observeRequests(observers: readonly RequestObserver[]): MiddlewareHandler<ShimEnv> {
  return async function observeRequest(c, next) {
    const started = performance.now();
    c.set("receivedAt", started);
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
      user_agent: requestHeader(c, "user-agent"),
      client_request_id: requestHeader(c, "x-request-id")?.slice(0, CLIENT_REQUEST_ID_LENGTH),
      duration_ms: Math.round((performance.now() - started) * 10) / 10,
      ...log,
    };
    for (const observe of observers) observe(record);
  };
}

/**
 * The retry policy for the rest of a request: its deadline counts from the
 * request's arrival, so that the time its credentials took (a wait for a key
 * hash among it) is part of it, and the client is answered within it.
 */
export function policyLeft<P extends { deadlineMs: number }>(c: Context<ShimEnv>, policy: P): P {
  return { ...policy, deadlineMs: policy.deadlineMs - (performance.now() - c.get("receivedAt")) };
}
