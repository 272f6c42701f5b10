import type { Logger } from "./log.js";

/** The status recorded for a request whose client hung up before it arrived whole (nginx's 499): no answer, and not the shim's failure. */
export const CLIENT_CLOSED_REQUEST = 499;

/** What one request's log line says beyond method, path and status; handlers fill it in. */
export interface RequestLog {
  account_id?: string;
  /** Accounts mode: the accounts file accepted the credentials; passthrough: v2 has accepted the key. */
  credentials_accepted?: boolean;
  alternative_order_id?: string;
  v2_order_id?: number;
  v2_status?: number | string;
  v2_latency_ms?: number;
  v2_sends?: number;
  v2_lookups?: number;
  /** The order was made, its answer lost, and the look-up by alternative_order_id found it. */
  recovered_by_lookup?: boolean;
  /** A client's retry answered with an earlier placement of the same order: that request's req_id. */
  replayed_from?: string;
  errors?: string[];
  /** The migration plan's judgement (src/migration/): a call made during its account's brownout, refused or served; a call refused after its sunset. */
  migration?: "brownout_refused" | "brownout_served" | "sunset_refused";
  /** With tracing on: the request's trace, to find its spans from the log line. */
  trace_id?: string;
}

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
  /** The client's own X-Request-Id, when it sent one: not the shim's id, which is always fresh. */
  client_request_id?: string | undefined;
  duration_ms: number;
}

export type RequestObserver = (record: RequestRecord) => void;

/** The structured log line, one per request. It holds no header but the User-Agent. */
export const logRequest =
  (logger: Logger): RequestObserver =>
  (record) =>
    logger.info(record, "request");
