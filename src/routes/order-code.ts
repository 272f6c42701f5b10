import type { Context } from "hono";
import type { Config } from "../config/config.js";
import type { V1OrderCreated } from "../contract/v1-answers.js";
import { v1Errors } from "../contract/v1-errors.js";
import { replySummary } from "../contract/v2-reply.js";
import { keysOf } from "../http/basic-auth.js";
import { readBodyText } from "../http/body.js";
import { type ShimEnv, settled } from "../http/env.js";
import { policyLeft } from "../http/observe-requests.js";
import { sendV1 } from "../http/respond.js";
import { formatOrderId, toV1OrderOutcome } from "../mapping/order-answer.js";
import { ALTERNATIVE_ORDER_ID_PLACEHOLDER, orderTranslator } from "../mapping/order-pipeline.js";
import type { Logger } from "../observability/log.js";
import type { DeskAnswer, OrderDesk } from "../ordering/desk.js";

/** The draft leaves the length to the server; 255 holds any UUID or hash a client would send. */
const MAX_IDEMPOTENCY_KEY = 255;

export interface OrderCodeDeps {
  config: Pick<Config, "platforms" | "retry" | "orderIdFormat">;
  desk: Pick<OrderDesk, "place">;
  logger: Logger;
}

/**
 * `POST /order/code`, once the account and the body's type are known: parse,
 * validate and translate (every refusal a V1Error, so nothing invalid reaches v2),
 * hand the order to the desk (src/ordering/), which places it once, and answer as v1.
 */
export function orderCodeHandler({ config, desk, logger }: OrderCodeDeps) {
  const translate = orderTranslator(config.platforms);

  return async function answerOrderCode(c: Context<ShimEnv>) {
    const account = settled(c, "account");
    const idempotencyKey = idempotencyKeyOf(c.req.header("idempotency-key"));
    const { order, product, body } = translate(settled(c, "bodyFormat"), await readBodyText(c), account, ALTERNATIVE_ORDER_ID_PLACEHOLDER);
    const answer = await desk.place({
      requestId: settled(c, "requestId"),
      accountId: account.accountId,
      v2ApiKey: account.v2ApiKey,
      order,
      product,
      body,
      idempotencyKey,
      budgetMs: policyLeft(c, config.retry).deadlineMs,
      placing: (id) => {
        settled(c, "log").alternative_order_id = id;
      },
    });
    const orderId = orderIdOf(answer, c);
    // Node's own response, not the web Request's signal, which would cost an AbortController per order.
    if (c.env?.outgoing?.destroyed && answer.kind === "placed") {
      logger.error(
        {
          req_id: settled(c, "requestId"),
          account_id: account.accountId,
          alternative_order_id: answer.alternativeOrderId,
          v2_order_id: orderId,
        },
        "the client left before its answer; the v2 order was placed: reconcile",
      );
    }
    return sendV1(c, 201, { order_id: formatOrderId(orderId, config.orderIdFormat) } satisfies V1OrderCreated);
  };

  /** The order's id, the request's log line told what happened; or throws the V1Error the client is to hear. */
  function orderIdOf(answer: DeskAnswer, c: Context<ShimEnv>): number {
    const log = settled(c, "log");
    if ("alternativeOrderId" in answer) log.alternative_order_id = answer.alternativeOrderId;
    if ("replayedFrom" in answer) log.replayed_from = answer.replayedFrom;
    switch (answer.kind) {
      case "replayed":
        log.v2_order_id = answer.orderId;
        return answer.orderId;
      case "busy":
        throw v1Errors.upstreamUnavailable("An identical order from this account is still being placed; try again later.");
      case "key_in_progress":
        throw v1Errors.idempotencyKeyInProgress();
      case "key_reused":
        throw v1Errors.idempotencyKeyReused();
      case "state_unavailable":
        throw v1Errors.stateUnavailable();
      case "placed": {
        const { placement } = answer;
        Object.assign(log, { v2_latency_ms: answer.v2LatencyMs, v2_sends: answer.sends, v2_lookups: answer.lookups });
        if (placement.kind === "found") log.recovered_by_lookup = true;
        else log.v2_status = replySummary(placement.kind === "gave_up" ? placement.last : placement.reply);
        const { orderId } = toV1OrderOutcome(placement, keysOf(c));
        log.v2_order_id = orderId;
        return orderId;
      }
    }
  }

  /** The header's key, its quotes taken off when sent as the draft's structured string; refused when empty or over 255 characters. */
  function idempotencyKeyOf(header: string | undefined): string | undefined {
    if (header === undefined) return undefined;
    const key = /^"(.*)"$/.exec(header)?.[1] ?? header;
    if (key.length === 0 || key.length > MAX_IDEMPOTENCY_KEY) throw v1Errors.invalidIdempotencyKey();
    return key;
  }
}
