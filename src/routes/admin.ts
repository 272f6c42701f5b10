import type { Context } from "hono";
import { type V1Error, v1Errors } from "../contract/v1-errors.js";
import type { ShimEnv } from "../http/env.js";
import { stageReport } from "../migration/plan.js";
import type { PlanInUse } from "../migration/plan-in-use.js";
import { type ClientUsage, isManyCallers } from "../observability/client-usage.js";
import type { OrderDesk } from "../ordering/desk.js";
import { StateUnavailable } from "../state/resilient.js";
import { cursorText, type OrderLedger, PLACEMENT_STATES, type PlacementFilter, type PlacementState, parseCursor } from "../state/store.js";

const MAX_LIMIT = 500;

/** The query of GET /_shim/orders, or the v1 error that names the parameter. */
function filterOf(c: Context<ShimEnv>): PlacementFilter | V1Error {
  const { state, account_id, limit = "50", cursor } = c.req.query();
  if (state !== undefined && !(PLACEMENT_STATES as readonly string[]).includes(state)) {
    return v1Errors.invalidQuery("state", `state must be one of ${PLACEMENT_STATES.join(", ")}.`);
  }
  if (!/^\d{1,3}$/.test(limit) || Number(limit) < 1 || Number(limit) > MAX_LIMIT) {
    return v1Errors.invalidQuery("limit", `limit must be a number from 1 to ${MAX_LIMIT}.`);
  }
  const after = cursor === undefined ? undefined : parseCursor(cursor);
  if (cursor !== undefined && !after) return v1Errors.invalidQuery("cursor", "cursor must be a next_cursor this endpoint gave.");
  return { state: state as PlacementState | undefined, account_id: account_id || undefined, limit: Number(limit), cursor: after };
}

/** An operator's answer: always JSON, like the rest of /_shim/. */
const sendError = (c: Context<ShimEnv>, error: V1Error) => c.json({ errors: error.errors }, error.status, error.headers);

/** The store down: 503 state_unavailable; anything else is the app's to answer. */
async function orUnavailable(c: Context<ShimEnv>, answer: () => Promise<Response>): Promise<Response> {
  try {
    return await answer();
  } catch (error) {
    if (error instanceof StateUnavailable) return sendError(c, v1Errors.stateUnavailable());
    throw error;
  }
}

/** `GET /_shim/clients`: who still calls v1 (ClientUsage), each account with its stage in the migration plan. */
export const adminClientsHandler = (usage: Pick<ClientUsage, "report">, plans: PlanInUse) =>
  function answerClients(c: Context<ShimEnv>) {
    return orUnavailable(c, async () => {
      const { since, clients } = await usage.report();
      const now = plans.now();
      const staged = clients.map((client) => ({
        ...client,
        migration: isManyCallers(client.account_id) ? null : stageReport(plans.stagesOf(client.account_id), now),
      }));
      return c.json({ since, clients: staged });
    });
  };

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/**
 * `GET /_shim/orders`: the order ledger, newest first, a page at a time, to
 * filter by `state` and `account_id`. `unknown` orders are the ones to reconcile.
 */
export function adminOrdersHandler(store: OrderLedger, ledger: Pick<OrderDesk, "flush">) {
  return async function answerOrders(c: Context<ShimEnv>) {
    const filter = filterOf(c);
    if (!("limit" in filter)) return sendError(c, filter);
    return orUnavailable(c, async () => {
      // This replica's latest outcomes first, which it writes a moment after each answer.
      await ledger.flush();
      const { placements, next } = await store.listPlacements(filter);
      return c.json({
        orders: placements.map((p) => ({
          ...p,
          lease_until: iso(p.lease_until),
          created_at: iso(p.created_at),
          updated_at: iso(p.updated_at),
        })),
        next_cursor: next && cursorText(next),
      });
    });
  };
}
