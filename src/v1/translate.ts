import type { Context } from "hono";
import { z } from "zod";
import type { Config } from "../config.js";
import type { V2OrderRequest } from "../mapping/order-request.js";
import type { ShimEnv } from "../shim-env.js";
import { v2OrderBodySchema, v2ProductSchema } from "../v2/schema.js";
import { orderTranslator } from "./order-translation.js";

/** Stands where the shim's fresh alternative_order_id goes: a new one is made for every real order. */
export const ALTERNATIVE_ORDER_ID_PLACEHOLDER = "<alternative_order_id>";

/** The v2 request as the translate endpoint and the command line show it: what v2 receives below its base URL, less the key. */
export const v2RequestPreviewSchema = z.object({
  method: z.literal("POST"),
  path: z.templateLiteral(["/order/certificate/", v2ProductSchema]),
  body: v2OrderBodySchema,
});
export type ShownRequest = z.infer<typeof v2RequestPreviewSchema>;

export const shownRequest = ({ product, body }: V2OrderRequest): ShownRequest => ({ method: "POST", path: `/order/certificate/${product}`, body });

/**
 * `POST /_shim/translate/order/code`: everything `POST /order/code` does short of
 * v2. It answers the v2 request the order would become (without any key), or
 * the very v1 error the order would get. The v2 request is JSON, whatever Accept says.
 */
export function translateHandler({ config }: { config: Config }) {
  const translate = orderTranslator(config);
  return async (c: Context<ShimEnv>) =>
    c.json(shownRequest(translate(c.get("bodyFormat"), await c.req.text(), c.get("account"), ALTERNATIVE_ORDER_ID_PLACEHOLDER)));
}
