import type { Context } from "hono";
import type { Config } from "../config/config.js";
import type { V1OrderCreated } from "../contract/v1-answers.js";
import { v1Errors } from "../contract/v1-errors.js";
import { replySummary, type Placement as V2Placement } from "../contract/v2-reply.js";
import { keysOf } from "../http/basic-auth.js";
import { readBodyText } from "../http/body.js";
import type { ShimEnv } from "../http/env.js";
import { policyLeft } from "../http/observe-requests.js";
import { sendV1 } from "../http/respond.js";
import { fingerprint as orderFingerprint } from "../lib/fingerprint.js";
import { formatOrderId, toV1OrderOutcome } from "../mapping/order-answer.js";
import { orderTranslator } from "../mapping/order-pipeline.js";
import { type Logger, logBeforeActing } from "../observability/log.js";
import { ledgerOutcome, type OrderLedger } from "../state/ledger.js";
import { StateUnavailable } from "../state/resilient.js";
import { keyedAlternativeOrderId, newAlternativeOrderId } from "../v2/alternative-order-id.js";
import type { V2Client } from "../v2/client.js";
import { placeOrder } from "../v2/order-placement.js";
import type { RetryWindow } from "./client-retries.js";

/** The draft leaves the length to the server; 255 holds any UUID or hash a client would send. */
const MAX_IDEMPOTENCY_KEY = 255;

export interface OrderCodeDeps {
  config: Config;
  v2: V2Client;
  logger: Logger;
  ledger: OrderLedger;
  retries: RetryWindow;
}

/**
 * `POST /order/code`, once the account and the body's type are known: parse,
 * validate, translate, place the order once, answer as v1. Every refusal is a
 * V1Error thrown here and rendered by the app; nothing invalid reaches v2.
 * A client's retry of an order inside the window is answered with the first (client-retries.ts).
 */
export function orderCodeHandler({ config, v2, logger, ledger, retries }: OrderCodeDeps) {
  const translate = orderTranslator(config.platforms);

  return async function answerOrderCode(c: Context<ShimEnv>) {
    const account = c.get("account");
    const log = c.get("log");
    const idempotencyKey = idempotencyKeyOf(c.req.header("idempotency-key"));
    const ownId = newAlternativeOrderId();
    const { product, body } = translate(c.get("bodyFormat"), await readBodyText(c), account, ownId);
    const { alternative_order_id: _, ...order } = body;
    const keyedId = idempotencyKey === undefined ? undefined : keyedAlternativeOrderId(account.accountId, idempotencyKey);
    const fingerprint =
      retries.enabled || keyedId ? orderFingerprint(config.retryWindow.fingerprintKey, account.accountId, { product, order }) : null;
    // A request with a key is held to that key alone: the window does not apply to it.
    const plan = keyedId
      ? await retries.planKeyed(fingerprint!, keyedId, ownId)
      : fingerprint
        ? await retries.plan(fingerprint, ownId, c.get("receivedAt") + config.retry.deadlineMs)
        : ({ kind: "new" } as const);

    if (plan.kind === "reused") throw v1Errors.idempotencyKeyReused();
    if (plan.kind === "in_progress") throw v1Errors.idempotencyKeyInProgress();
    if (plan.kind !== "new") log.replayed_from = plan.from.req_id;
    if (plan.kind === "replay") {
      Object.assign(log, { alternative_order_id: plan.from.alternative_order_id, v2_order_id: plan.orderId });
      return answered(c, plan.orderId);
    }
    if (plan.kind === "busy") {
      log.alternative_order_id = plan.from.alternative_order_id;
      throw v1Errors.upstreamUnavailable("An identical order from this account is still being placed; try again later.");
    }
    const alternativeOrderId = plan.kind === "take_over" ? plan.from.alternative_order_id : (keyedId ?? ownId);
    const madeNothing = async () => {
      if (keyedId) await retries.keyMadeNothing(keyedId, ownId);
      else if (fingerprint) await retries.madeNothing(fingerprint, alternativeOrderId);
    };
    log.alternative_order_id = alternativeOrderId;
    const trace = { req_id: c.get("requestId"), account_id: account.accountId, alternative_order_id: alternativeOrderId };
    const ended = fingerprint ? retries.working(alternativeOrderId) : undefined;
    let placement: V2Placement;
    try {
      // Both traces are out before anything is sent, written at once rather than one after the other
      // (the wait for Redis, or for SQLite's commit, beside the log's). The log line is out of the
      // process: a kill -9, a crash or an OOM kill mid-order still leaves the id that v2's order can
      // be found by. The ledger's record means no order is in flight without one; a take-over's is there already.
      await Promise.all([
        logBeforeActing(logger, { ...trace, replayed_from: log.replayed_from }, "placing order"),
        plan.kind === "new" &&
          ledger.begin(trace, fingerprint).catch((error: unknown) => {
            throw error instanceof StateUnavailable ? v1Errors.stateUnavailable() : error;
          }),
      ]);
      const started = performance.now();
      const report = await placeOrder(
        v2,
        {
          product,
          body: { ...body, alternative_order_id: alternativeOrderId },
          apiKey: account.v2ApiKey,
          mayExist: plan.kind === "take_over" || keyedId !== undefined,
        },
        policyLeft(c, config.retry),
      );
      placement = report.placement;
      Object.assign(log, { v2_latency_ms: Math.round(performance.now() - started), v2_sends: report.sends, v2_lookups: report.lookups });
    } catch (error) {
      // Nothing was sent: the next identical order is a new one.
      await madeNothing();
      ended?.({ state: "failed", v2_order_id: null });
      throw error;
    }
    ledger.settle(trace, placement);
    const outcome = ledgerOutcome(placement);
    if (outcome.state === "refused" || outcome.state === "failed") await madeNothing();
    ended?.(outcome);

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

    const v1Outcome = toV1OrderOutcome(placement, keysOf(c));
    log.v2_order_id = v1Outcome.orderId;
    // Node's own response, not the web Request's signal, which would cost an AbortController per order.
    if (c.env?.outgoing?.destroyed) {
      logger.error({ ...trace, v2_order_id: v1Outcome.orderId }, "the client left before its answer; the v2 order was placed: reconcile");
    }
    return answered(c, v1Outcome.orderId);
  };

  /** The header's key, its quotes taken off when sent as the draft's structured string; refused when empty or over 255 characters. */
  function idempotencyKeyOf(header: string | undefined): string | undefined {
    if (header === undefined) return undefined;
    const key = /^"(.*)"$/.exec(header)?.[1] ?? header;
    if (key.length === 0 || key.length > MAX_IDEMPOTENCY_KEY) throw v1Errors.invalidIdempotencyKey();
    return key;
  }

  function answered(c: Context<ShimEnv>, orderId: number) {
    return sendV1(c, 201, { order_id: formatOrderId(orderId, config.orderIdFormat) } satisfies V1OrderCreated);
  }
}
