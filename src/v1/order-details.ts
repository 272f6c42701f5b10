import type { Context } from "hono";
import { z } from "zod";
import type { Config } from "../config.js";
import { toV1OrderDetailsOutcome } from "../mapping/order-details.js";
import type { ShimEnv } from "../shim-env.js";
import { replySummary, type V2Client } from "../v2/client.js";
import { readOrder } from "../v2/order-reading.js";
import { V1Error, v1Errors } from "./errors.js";
import { sendV1 } from "./respond.js";

/** `00222307` and `222307` are the same order; anything but digits, or zero, is refused. */
export const orderIdParamSchema = z
  .string()
  .regex(/^\d{1,15}$/)
  .transform(Number)
  .refine((id) => id >= 1)
  .meta({ description: "The order's number, zero-padded (00222307) or not (222307): digits, not zero." });

function parseOrderId(text: string): number {
  const id = orderIdParamSchema.safeParse(text);
  if (!id.success) throw v1Errors.invalidOrderId();
  return id.data;
}

/** `GET /order/{order_id}` (and HEAD): the legacy order details, read from v2's "Order info". */
export function orderDetailsHandler({ config, v2 }: { config: Config; v2: V2Client }) {
  return async (c: Context<ShimEnv>) => {
    const orderId = parseOrderId(c.req.param("order_id") ?? "");
    const started = performance.now();
    const reply = await readOrder(v2, orderId, c.get("account").v2ApiKey, config.retry);
    c.get("log").v2_latency_ms = Math.round(performance.now() - started);
    c.get("log").v2_status = replySummary(reply);

    const outcome = toV1OrderDetailsOutcome(reply, orderId, config.orderIdFormat);
    if (outcome instanceof V1Error) throw outcome;
    c.get("log").v2_order_id = orderId;
    return sendV1(c, 200, outcome);
  };
}
