import type { Context } from "hono";
import type { Config } from "../config.js";
import type { V2OrderRequest } from "../mapping/order-request.js";
import type { ShimEnv } from "../shim-env.js";
import { orderTranslator } from "./order-translation.js";

/** Stands where the shim's fresh alternative_order_id goes: a new one is made for every real order. */
export const ALTERNATIVE_ORDER_ID_PLACEHOLDER = "<alternative_order_id>";

/** The v2 request as the translate endpoint and the command line show it: what v2 receives, less the key. */
export const shownRequest = ({ product, body }: V2OrderRequest) => ({ method: "POST" as const, path: `/order/certificate/${product}`, body });
export type ShownRequest = ReturnType<typeof shownRequest>;

/**
 * `POST /_shim/translate/order/code`: everything `POST /order/code` does short of
 * v2. It answers the v2 request the order would become (without any key), or
 * the very v1 error the order would get. The v2 request is JSON, whatever Accept says.
 */
export function translateHandler({ config }: { config: Config }) {
  const translate = orderTranslator(config);
  return async (c: Context<ShimEnv>) =>
    c.json(shownRequest(translate(c.var.bodyFormat, await c.req.text(), c.var.account, ALTERNATIVE_ORDER_ID_PLACEHOLDER)));
}
