import type { Context } from "hono";
import { isShimEndpoint } from "../contract/surface.js";
import type { PlanInUse } from "../migration/plan-in-use.js";
import type { ShimEnv } from "./env.js";

/** The account a request acts for, once its credentials are read (and, in accounts mode, accepted); undefined before. */
export const accountIdOf = (c: Context<ShimEnv>): string | undefined => c.get("account")?.accountId;

/**
 * The signals a migrating client's tooling can read on a v1 answer, each only
 * when its plan sets it: RFC 9745 Deprecation, RFC 8594 Sunset, and a Link to the
 * migration guide. Its account's (src/migration/plan.ts), or the plan's default
 * for an answer given before the account is known (a 401, a 406).
 */
export const signalsFor =
  (plans: PlanInUse) =>
  (c: Context<ShimEnv>): Readonly<Record<string, string>> =>
    plans.stagesOf(accountIdOf(c)).headers;

/** Adds the headers to an answer on the legacy surface, errors and 304s included; the shim's own endpoints are not v1. */
export function addDeprecationHeaders(headers: Readonly<Record<string, string>>, path: string, answer: Response): void {
  if (isShimEndpoint(path)) return;
  for (const name in headers) answer.headers.set(name, headers[name]!);
}
