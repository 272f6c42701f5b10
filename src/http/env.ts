import type { HttpBindings } from "@hono/node-server";
import type { Context } from "hono";
import type { LegacyAccount } from "../contract/account.js";
import type { Format } from "../contract/media-types.js";
import type { RequestLog } from "../observability/request-log.js";

/**
 * The per-request variables, each with the pipeline step that sets it
 * (http/legacy-pipeline.ts). All are optional: an answer can be given before
 * the step that sets one has run (a 406 has no format, a 401 no account), and
 * the admin listener runs no pipeline at all. Read one that a step before the
 * reader has surely set with `settled`; guard the others.
 */
export interface RequestVariables {
  /** The `requestId` step. */
  requestId?: string;
  /** The `record` step: when the app took the request (performance.now()); an order's deadline counts from then. */
  receivedAt?: number;
  /** The `record` step: what the request's log line says, added to on the way. */
  log?: RequestLog;
  /** The `format` step: the answer's format, once negotiated. */
  format?: Format;
  /** The `bodyFormat` step: the request body's format, once its Content-Type is accepted. */
  bodyFormat?: Format;
  /** The `bodyFormat` step: the encoding its Content-Type declares (`utf-8` or `windows-1252`); undefined when it declares none. */
  bodyEncoding?: string | undefined;
  /** The `auth` step. */
  account?: LegacyAccount;
}

/**
 * The Hono environment of the shim's app. Read variables with `c.get(name)`:
 * Hono's `c.var` builds a new object of all of them on every access, which the
 * profile showed on every request.
 */
export interface ShimEnv {
  /** Node's request and response; absent when the app is called in process. */
  Bindings: Partial<HttpBindings>;
  Variables: RequestVariables;
}

/** A variable that a step before the reader has set; its absence is a fault of the wiring, not of the request (a 500). */
export function settled<K extends keyof RequestVariables>(c: Context<ShimEnv>, name: K): NonNullable<RequestVariables[K]> {
  const value = c.get(name);
  if (value === undefined) throw new Error(`${name} is read before the step that sets it`);
  return value as NonNullable<RequestVariables[K]>;
}
