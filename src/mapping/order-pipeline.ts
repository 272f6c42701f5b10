import type { LegacyAccount } from "../contract/account.js";
import type { Format } from "../contract/media-types.js";
import type { PlatformTables } from "../contract/platforms.js";
import { makeV1OrderSchema, type V1Order } from "../contract/v1-order.js";
import type { ShownRequest } from "../contract/v2.js";
import { toV2OrderRequest, type V2OrderRequest } from "./order-request.js";
import { parseFields } from "./v1-fields.js";
import { validateOrder } from "./validate-order.js";

/** What of an account shapes its orders: accounts mode's container and organization. */
export type OrderingAccount = Pick<LegacyAccount, "containerId" | "organizationId" | "addVerifiedContact">;

/**
 * A legacy order body → the v2 request the shim sends for it: parse, validate
 * (a V1Error listing every problem), translate. The one translator, shared by
 * POST /order/code, the translate endpoint and the command line. The validated v1
 * order comes with it: a client's retry is recognised by it, not by what it became.
 */
export function orderTranslator(platforms: PlatformTables) {
  const schema = makeV1OrderSchema(platforms);
  return (format: Format, text: string, account: OrderingAccount, alternativeOrderId: string): V2OrderRequest & { order: V1Order } => {
    const order = validateOrder(schema, parseFields(format, text));
    const request = toV2OrderRequest(order, {
      platforms,
      alternativeOrderId,
      containerId: account.containerId,
      organizationId: account.organizationId,
      addVerifiedContact: account.addVerifiedContact,
    });
    return { order, product: request.product, body: request.body };
  };
}

/** Stands where the shim's fresh alternative_order_id goes: a new one is made for every real order. */
export const ALTERNATIVE_ORDER_ID_PLACEHOLDER = "<alternative_order_id>";

export const shownRequest = ({ product, body }: V2OrderRequest): ShownRequest => ({
  method: "POST",
  path: `/order/certificate/${product}`,
  body,
});
