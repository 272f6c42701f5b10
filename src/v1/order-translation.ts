import type { Config } from "../config.js";
import { toV2OrderRequest, type V2OrderRequest } from "../mapping/order-request.js";
import type { LegacyAccount } from "./auth.js";
import { parseFields } from "./body.js";
import type { Format } from "./formats.js";
import { makeV1OrderSchema } from "./order-schema.js";
import { validateOrder } from "./validate-order.js";

/** What of an account shapes its orders: accounts mode's container and organization. */
export type OrderingAccount = Pick<LegacyAccount, "containerId" | "organizationId">;

/**
 * A legacy order body → the v2 request the shim sends for it: parse, validate
 * (a V1Error listing every problem), translate. The one translator, shared by
 * POST /order/code, the translate endpoint and the command line.
 */
export function orderTranslator(config: Pick<Config, "platforms">) {
  const schema = makeV1OrderSchema(config.platforms);
  return (format: Format, text: string, account: OrderingAccount, alternativeOrderId: string): V2OrderRequest =>
    toV2OrderRequest(validateOrder(schema, parseFields(format, text)), {
      platforms: config.platforms,
      alternativeOrderId,
      containerId: account.containerId,
      organizationId: account.organizationId,
    });
}
