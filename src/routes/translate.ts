import type { Context } from "hono";
import type { Config } from "../config/config.js";
import { readBodyText } from "../http/body.js";
import { type ShimEnv, settled } from "../http/env.js";
import { sendShimJson } from "../http/respond.js";
import { ALTERNATIVE_ORDER_ID_PLACEHOLDER, orderTranslator, shownRequest } from "../mapping/order-pipeline.js";

/**
 * `POST /_shim/translate/order/code`: everything `POST /order/code` does short of
 * v2. It answers the v2 request the order would become (without any key), or
 * the very v1 error the order would get. The v2 request is JSON, whatever Accept says.
 */
export function translateHandler({ config }: { config: Pick<Config, "platforms"> }) {
  const translate = orderTranslator(config.platforms);
  return async function answerTranslation(c: Context<ShimEnv>) {
    return sendShimJson(
      c,
      shownRequest(translate(settled(c, "bodyFormat"), await readBodyText(c), settled(c, "account"), ALTERNATIVE_ORDER_ID_PLACEHOLDER)),
    );
  };
}
