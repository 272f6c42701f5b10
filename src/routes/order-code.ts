import type { Context } from "hono";
import type { Config } from "../config/config.js";
import type { V1OrderCreated } from "../contract/v1-answers.js";
import { v1Errors } from "../contract/v1-errors.js";
import { replySummary } from "../contract/v2-reply.js";
import { keysOf } from "../http/basic-auth.js";
import { readBodyText } from "../http/body.js";
import type { ShimEnv } from "../http/env.js";
import { policyLeft } from "../http/observe-requests.js";
import { sendV1 } from "../http/respond.js";
import { formatOrderId, toV1OrderOutcome } from "../mapping/order-answer.js";
import { orderTranslator } from "../mapping/order-pipeline.js";
import { type Logger, logBeforeActing } from "../observability/log.js";
import type { OrderLedger } from "../state/ledger.js";
import { StateUnavailable } from "../state/resilient.js";
import { newAlternativeOrderId } from "../v2/alternative-order-id.js";
import type { V2Client } from "../v2/client.js";
import { placeOrder } from "../v2/order-placement.js";

export interface OrderCodeDeps {
  config: Config;
  v2: V2Client;
  logger: Logger;
  ledger: OrderLedger;
}

/**
 * `POST /order/code`, once the account and the body's type are known: parse,
 * validate, translate, place the order once, answer as v1. Every refusal is a
 * V1Error thrown here and rendered by the app; nothing invalid reaches v2.
 */
export function orderCodeHandler({ config, v2, logger, ledger }: OrderCodeDeps) {
  const translate = orderTranslator(config.platforms);

  return async function answerOrderCode(c: Context<ShimEnv>) {
    const account = c.get("account");
    const log = c.get("log");
    const alternativeOrderId = newAlternativeOrderId();
    const { product, body } = translate(c.get("bodyFormat"), await readBodyText(c), account, alternativeOrderId);
    log.alternative_order_id = alternativeOrderId;
    const trace = { req_id: c.get("requestId"), account_id: account.accountId, alternative_order_id: alternativeOrderId };
    // Out of the process before anything is sent: a kill -9, a crash or an OOM kill
    // mid-order still leaves the id that v2's order can be found by.
    await logBeforeActing(logger, trace, "placing order");

    // The ledger's record is written before anything is sent, so no order is in flight without a trace.
    await ledger.begin(trace).catch((error: unknown) => {
      throw error instanceof StateUnavailable ? v1Errors.stateUnavailable() : error;
    });
    const started = performance.now();
    const { placement, sends, lookups } = await placeOrder(v2, { product, body, apiKey: account.v2ApiKey }, policyLeft(c, config.retry));
    Object.assign(log, { v2_latency_ms: Math.round(performance.now() - started), v2_sends: sends, v2_lookups: lookups });
    ledger.settle(trace, placement);

    if (placement.kind === "found") {
      log.recovered_by_lookup = true;
      if (placement.alsoCarryingTheId.length > 0) {
        logger.error(
          { ...trace, v2_order_ids: [placement.orderId, ...placement.alsoCarryingTheId] },
          "several v2 orders carry one alternative_order_id: reconcile",
        );
      }
    } else {
      log.v2_status = replySummary(placement.kind === "gave_up" ? placement.last : placement.reply);
      if (placement.kind === "gave_up" && placement.uncertain) {
        logger.error(trace, "order outcome unknown: v2 may hold an order with this alternative_order_id; reconcile");
      }
    }

    const outcome = toV1OrderOutcome(placement, keysOf(c));
    log.v2_order_id = outcome.orderId;
    // Node's own response, not the web Request's signal, which would cost an AbortController per order.
    if (c.env?.outgoing?.destroyed) {
      logger.error({ ...trace, v2_order_id: outcome.orderId }, "the client left before its answer; the v2 order was placed: reconcile");
    }
    return sendV1(c, 201, { order_id: formatOrderId(outcome.orderId, config.orderIdFormat) } satisfies V1OrderCreated);
  };
}
