import { type V2OrderBody, type V2Product, v2OrderCreatedSchema } from "../contract/v2.js";
import {
  isRateLimited,
  isSuccessStatus,
  type LookupAnswer,
  lookupAnswer,
  neverSent,
  type Placement,
  refusesTheKey,
  type V2Reply,
} from "../contract/v2-reply.js";
import type { V2Client } from "../v2/client.js";
import { backoffMs, type Clock, deadlineFor, type RetryPolicy, realClock, retryAfterOf } from "../v2/retry-timing.js";

/** The v2 calls a placement makes. */
export type V2Ordering = Pick<V2Client, "createOrder" | "findOrdersByAlternativeId">;

export interface PlacementReport {
  placement: Placement;
  sends: number;
  lookups: number;
}

export interface OrderToPlace {
  product: V2Product;
  body: V2OrderBody & { alternative_order_id: string };
  apiKey: string;
  /**
   * Ask v2 for the alternative_order_id before any send: `taking over` an earlier
   * placement that may have made the order, or `in case` a record of one was lost
   * (an Idempotency-Key's id). Only in the second may v2's refusal of the key, asked
   * first, be the answer: the first's order may exist whatever the key is now.
   */
  lookupFirst?: "taking over" | "in case";
}

type SendOutcome = { created: number } | "refused" | "not_made" | "uncertain" | "paced";

function sendOutcome(reply: V2Reply): SendOutcome {
  if (reply.kind === "paced") return "paced";
  if (neverSent(reply)) return "not_made";
  if (reply.kind === "no_answer") return "uncertain";
  if (isSuccessStatus(reply.status)) {
    const created = v2OrderCreatedSchema.safeParse(reply.body);
    return created.success ? { created: created.data.id } : "uncertain";
  }
  if (reply.status === 429) return "not_made";
  if (reply.status >= 500) return "uncertain";
  return "refused";
}

/**
 * Places one order with v2 so that it is made at most once. When an answer is
 * lost (reset, timeout, 5xx, an unreadable 2xx) the order may or may not exist,
 * so before sending it again the shim asks v2 for the orders carrying its
 * alternative_order_id; it sends again only once v2 says there are none.
 * Refused connections and 429s made nothing, but are asked about too, as cheaply.
 */
export async function placeOrder(
  client: V2Ordering,
  order: OrderToPlace,
  policy: RetryPolicy,
  clock: Clock = realClock,
  random: () => number = Math.random,
): Promise<PlacementReport> {
  const { remaining, limits } = deadlineFor(policy, clock);

  let sends = 0;
  let lookups = 0;
  let waits = 0;
  /** An order may exist that no look-up has found: nothing may be sent until one says "none". */
  let uncertain = order.lookupFirst !== undefined;
  /** The latest answer lost after the order may have reached v2: what the client hears if the outcome stays unknown. */
  let lost: V2Reply | undefined;
  /** A refusal of a re-send, passed on only once a look-up says v2 holds no order with the id. */
  let refusal: V2Reply | undefined;
  let last: V2Reply = { kind: "no_answer", reason: "not attempted" };
  const report = (placement: Placement): PlacementReport => ({ placement, sends, lookups });
  const foundAs = (ids: number[]) => report({ kind: "found", orderId: ids[0]!, alsoCarryingTheId: ids.slice(1) });
  const lookup = async (): Promise<{ reply: V2Reply; answer: LookupAnswer }> => {
    lookups++;
    const reply = await client.findOrdersByAlternativeId(order.body.alternative_order_id, order.apiKey, limits(), lookups);
    return { reply, answer: lookupAnswer(reply) };
  };

  let next: "send" | "lookup" = uncertain ? "lookup" : "send";
  let delayMs = 0;
  for (;;) {
    if (delayMs > 0) {
      if (delayMs >= remaining()) break;
      await clock.sleep(delayMs);
    }
    if (remaining() <= 0) break;

    if (next === "send") {
      if (sends >= policy.attempts) break;
      sends++;
      last = await client.createOrder(order.product, order.body, order.apiKey, limits(), sends);
      const outcome = sendOutcome(last);
      if (typeof outcome === "object") return report({ kind: "created", orderId: outcome.created, reply: last });
      if (outcome === "paced") break;
      if (outcome === "refused") {
        if (!lost) return report({ kind: "refused", reply: last });
        // The lost answer's order may have been made after a look-up said there was none,
        // and v2 be refusing the re-send for an alternative_order_id it already holds.
        refusal = last;
        uncertain = true;
        next = "lookup";
        delayMs = 0;
        continue;
      }
      if (outcome === "uncertain") {
        uncertain = true;
        lost = last;
      }
      // Nothing was made and nothing may be sent again: there is nothing to ask about.
      else if (sends >= policy.attempts) break;
      next = "lookup";
      // A 429 asks for a wait before anything else is asked; other failures are looked up at once.
      delayMs = isRateLimited(last) ? (retryAfterOf(last, policy) ?? backoffMs(waits++, policy, random)) : 0;
      continue;
    }

    if (lookups >= policy.attempts) break;
    const { reply, answer: found } = await lookup();
    // Nothing sent yet, and only asked in case: v2 refusing the key is its answer to this request.
    if (order.lookupFirst === "in case" && sends === 0 && refusesTheKey(reply)) return report({ kind: "refused", reply });
    if (typeof found === "object") return foundAs(found.found);
    if (found === "none") {
      if (refusal) return report({ kind: "refused", reply: refusal });
      uncertain = false;
    }
    // Sending again is safe only once v2 has said it holds no order with this id; a failed look-up never says so.
    next = uncertain ? "lookup" : "send";
    delayMs = backoffMs(waits++, policy, random);
  }
  return report({ kind: "gave_up", last: uncertain ? (lost ?? last) : last, uncertain });
}
