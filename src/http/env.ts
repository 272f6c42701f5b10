import type { HttpBindings } from "@hono/node-server";
import type { LegacyAccount } from "../contract/account.js";
import type { Format } from "../contract/media-types.js";
import type { RequestLog } from "../observability/request-log.js";

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
    /** When the app took the request (performance.now()): an order's deadline counts from then. */
    receivedAt: number;
    /** The answer's format, once negotiated. */
    format: Format;
    /** The request body's format, once its Content-Type is accepted. */
    bodyFormat: Format;
    /** The encoding its Content-Type declares (`utf-8` or `windows-1252`); undefined when it declares none. */
    bodyEncoding: string | undefined;
    account: LegacyAccount;
    log: RequestLog;
  };
}
