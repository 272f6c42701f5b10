import { hash } from "node:crypto";
import type { Context } from "hono";
import { v1Errors } from "../contract/v1-errors.js";
import { enforcementAt, inRefusedShare, isoTime } from "../migration/plan.js";
import type { PlanInUse } from "../migration/plan-in-use.js";
import { type ShimEnv, settled } from "./env.js";
import { requestHeader } from "./request-header.js";

/**
 * A legacy call judged by its account's migration plan, once its credentials
 * are read (and, for an order, its body's type and declared size are checked),
 * before anything reaches v2: refused after a sunset that refuses; in a
 * brownout, refused or let through as its share says; otherwise nothing. It
 * throws the refusal. A promise only when a brownout's draw must read the body.
 */
export type MigrationStep = (c: Context<ShimEnv>) => Promise<void> | undefined;

/** What a client's retry of a call keeps when the client sends no id of its own: an order's body, a read's path. */
type RetryBasis = (c: Context<ShimEnv>) => Promise<string> | string;

/** The body's digest: a legacy client's retry sends the same bytes. Read within the size check, as the handler reads it (Hono keeps it for the handler). */
export const bodyBasis: RetryBasis = async (c) => hash("sha256", new Uint8Array(await c.req.arrayBuffer()));
export const pathBasis: RetryBasis = (c) => c.req.path;

/**
 * The step. A brownout's partial share is drawn on what a client's retry of the
 * call keeps, so that a retry is judged as the call it repeats: its
 * Idempotency-Key, else its own X-Request-Id, else `basisOf` (the shim's req_id
 * is fresh for every request, a retry's too).
 */
export function enforceMigration(plans: PlanInUse, basisOf: RetryBasis): MigrationStep {
  return function judgeByPlan(c) {
    const { accountId } = settled(c, "account");
    const stages = plans.stagesOf(accountId);
    if (!stages.enforced) return undefined;
    const now = plans.now();
    const enforcement = enforcementAt(stages, now);
    if (!enforcement) return undefined;
    const log = settled(c, "log");
    // A plan that refuses names its migration_url (src/migration/plan.ts).
    const url = stages.migrationUrl!;
    if (enforcement.kind === "sunset") {
      log.migration = "sunset_refused";
      throw v1Errors.sunset(isoTime(stages.sunset!), url);
    }
    const { window } = enforcement;
    const judge = (basis: string): void => {
      const refused = inRefusedShare(accountId, window, basis);
      log.migration = refused ? "brownout_refused" : "brownout_served";
      if (!refused) return;
      const sunset = stages.sunset === undefined ? undefined : isoTime(stages.sunset);
      throw v1Errors.migrationBrownout(isoTime(window.end), Math.ceil((window.end - now) / 1000), url, sunset);
    };
    // A whole share needs no draw, so no basis: nothing is read.
    const basis = window.share >= 1 ? "" : (requestHeader(c, "idempotency-key") ?? requestHeader(c, "x-request-id") ?? basisOf(c));
    if (typeof basis !== "string") return basis.then(judge);
    judge(basis);
    return undefined;
  };
}
