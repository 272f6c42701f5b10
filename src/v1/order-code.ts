import type { Context } from "hono";
import type { Config } from "../config.js";
import { toV2OrderRequest } from "../mapping/order-request.js";
import { formatOrderId, toV1OrderOutcome } from "../mapping/order-response.js";
import type { ShimEnv } from "../shim-env.js";
import type { V2Client } from "../v2/client.js";
import { basicCredentials } from "./auth.js";
import { parseFields, requireBodyFormat } from "./body.js";
import { V1Error } from "./errors.js";
import { makeV1OrderSchema } from "./order-schema.js";
import { sendV1 } from "./respond.js";
import { validateOrder } from "./validate-order.js";

export interface OrderCodeDeps {
  config: Config;
  v2: V2Client;
  newAlternativeOrderId: () => string;
}

/**
 * `POST /order/code`: credentials, body, validation, then one v2 order. Every
 * refusal before the v2 call is a V1Error thrown here and rendered by the app,
 * so nothing invalid reaches v2.
 */
export function orderCodeHandler({ config, v2, newAlternativeOrderId }: OrderCodeDeps) {
  const schema = makeV1OrderSchema(config.platforms);
  return async (c: Context<ShimEnv>) => {
    const { accountId, apiKey } = basicCredentials(c.req.raw);
    c.var.log.account_id = accountId;
    const format = requireBodyFormat(c.req.header("Content-Type"));
    const order = validateOrder(schema, parseFields(format, await c.req.text()));

    const alternativeOrderId = newAlternativeOrderId();
    c.var.log.alternative_order_id = alternativeOrderId;
    const { product, body } = toV2OrderRequest(order, { platforms: config.platforms, alternativeOrderId });

    const started = performance.now();
    const reply = await v2.createOrder(product, body, apiKey);
    c.var.log.v2_latency_ms = Math.round(performance.now() - started);
    c.var.log.v2_status = reply.kind === "answer" ? reply.status : reply.reason;

    const outcome = toV1OrderOutcome(reply);
    if (outcome instanceof V1Error) throw outcome;
    c.var.log.v2_order_id = outcome.orderId;
    return sendV1(c, 201, { order_id: formatOrderId(outcome.orderId, config.orderIdFormat) });
  };
}
