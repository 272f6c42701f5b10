import type { HttpBindings } from "@hono/node-server";
import type { LegacyAccount } from "./v1/auth.js";
import type { Format } from "./v1/formats.js";

/** What one request's log line says beyond method, path and status; handlers fill it in. */
export interface RequestLog {
  account_id?: string;
  alternative_order_id?: string;
  v2_order_id?: number;
  v2_status?: number | string;
  v2_latency_ms?: number;
  v2_sends?: number;
  v2_lookups?: number;
  /** The order was made, its answer lost, and the look-up by alternative_order_id found it. */
  recovered_by_lookup?: boolean;
  errors?: string[];
}

/**
 * The Hono environment of the shim's app: per-request variables. Read them with
 * `c.get(name)`: Hono's `c.var` builds a new object of all of them on every access,
 * which the profile showed on every request.
 */
export interface ShimEnv {
  /** Node's request and response; absent when the app is called in process. */
  Bindings: Partial<HttpBindings>;
  Variables: {
    requestId: string;
    /** The answer's format, once negotiated. */
    format: Format;
    /** The request body's format, once its Content-Type is accepted. */
    bodyFormat: Format;
    account: LegacyAccount;
    log: RequestLog;
  };
}
