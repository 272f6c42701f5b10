import type { Context } from "hono";
import { z } from "zod";
import type { Config } from "../config.js";
import type { ShimEnv } from "../shim-env.js";
import { v2OrderBodySchema, v2ProductSchema } from "../v2/schema.js";
import { orderTranslator } from "./order-translation.js";

/** Stands where the shim's fresh alternative_order_id goes: a new one is made for every real order. */
export const ALTERNATIVE_ORDER_ID_PLACEHOLDER = "<alternative_order_id>";

/** The translate endpoint's answer: the v2 request, below the v2 base URL. */
export const v2RequestPreviewSchema = z.object({
  method: z.literal("POST"),
  path: z.templateLiteral(["/order/certificate/", v2ProductSchema]),
  body: v2OrderBodySchema,
});

/**
 * `POST /_shim/translate/order/code`: everything `POST /order/code` does short of
 * v2. It answers the v2 request the order would become (without any key), or
 * the very v1 error the order would get. The v2 request is JSON, whatever Accept says.
 */
export function translateHandler({ config }: { config: Config }) {
  const translate = orderTranslator(config);
  return async (c: Context<ShimEnv>) => {
    const { product, body } = translate(c.var.bodyFormat, await c.req.text(), c.var.account, ALTERNATIVE_ORDER_ID_PLACEHOLDER);
    return c.json({ method: "POST", path: `/order/certificate/${product}`, body } satisfies z.infer<typeof v2RequestPreviewSchema>);
  };
}
