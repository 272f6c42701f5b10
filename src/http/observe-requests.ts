import type { Context } from "hono";
import type { RequestLog, RequestObserver, RequestRecord } from "../observability/request-log.js";
import { type ShimEnv, settled } from "./env.js";
import { requestHeader } from "./request-header.js";

/** A client's X-Request-Id is kept to this length: it is the client's to choose, and the log's to bound. */
const CLIENT_REQUEST_ID_LENGTH = 128;

/** Starts a request's record: when it arrived, and the log its handlers add to on the way (`settled(c, "log")`). */
export function startRecord(c: Context<ShimEnv>): void {
  c.set("receivedAt", performance.now());
  c.set("log", {} satisfies RequestLog);
}

/** Once it is answered: the request's record, handed to each observer. */
export function finishRecord(c: Context<ShimEnv>, observers: readonly RequestObserver[], status: number, route: string): void {
  const record: RequestRecord = {
    req_id: settled(c, "requestId"),
    method: c.req.method,
    path: c.req.path,
    route,
    status,
    format: c.get("format"),
    user_agent: requestHeader(c, "user-agent"),
    client_request_id: requestHeader(c, "x-request-id")?.slice(0, CLIENT_REQUEST_ID_LENGTH),
    duration_ms: Math.round((performance.now() - settled(c, "receivedAt")) * 10) / 10,
    ...settled(c, "log"),
  };
  for (const observe of observers) observe(record);
}

/**
 * The retry policy for the rest of a request: its deadline counts from the
 * request's arrival, so that the time its credentials took (a wait for a key
 * hash among it) is part of it, and the client is answered within it.
 */
export function policyLeft<P extends { deadlineMs: number }>(c: Context<ShimEnv>, policy: P): P {
  return { ...policy, deadlineMs: policy.deadlineMs - (performance.now() - settled(c, "receivedAt")) };
}
