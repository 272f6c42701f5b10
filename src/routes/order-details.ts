import type { Context } from "hono";
import type { Config } from "../config/config.js";
import { orderIdParamSchema } from "../contract/v1-answers.js";
import { v1Errors } from "../contract/v1-errors.js";
import { replySummary } from "../contract/v2-reply.js";
import { keysOf } from "../http/basic-auth.js";
import { type ShimEnv, settled } from "../http/env.js";
import { policyLeft } from "../http/observe-requests.js";
import { sendV1 } from "../http/respond.js";
import { toV1OrderDetailsOutcome } from "../mapping/details-answer.js";
import type { V2Client } from "../v2/client.js";
import { readOrder } from "../v2/order-reading.js";

function parseOrderId(text: string): number {
  const id = orderIdParamSchema.safeParse(text);
  if (!id.success) throw v1Errors.invalidOrderId();
  return id.data;
}

/** `GET /order/{order_id}` (and HEAD): the legacy order details, read from v2's "Order info". */
export function orderDetailsHandler({ config, v2 }: { config: Pick<Config, "retry" | "orderIdFormat">; v2: V2Client }) {
  return async function answerOrderDetails(c: Context<ShimEnv>) {
    const orderId = parseOrderId(c.req.param("order_id") ?? "");
    const started = performance.now();
    const reply = await readOrder(v2, orderId, settled(c, "account").v2ApiKey, policyLeft(c, config.retry));
    settled(c, "log").v2_latency_ms = Math.round(performance.now() - started);
    settled(c, "log").v2_status = replySummary(reply);

    const outcome = toV1OrderDetailsOutcome(reply, orderId, config.orderIdFormat, keysOf(c));
    settled(c, "log").v2_order_id = orderId;
    return sendV1(c, 200, outcome);
  };
}
