import type { OrderIdFormat, V1OrderDetails, V1OrderStatus } from "../contract/v1-answers.js";
import { V1Error } from "../contract/v1-errors.js";
import { type V2OrderInfo, v2ErrorEnvelopeSchema, v2OrderInfoSchema } from "../contract/v2.js";
import { isSuccessStatus, type V2Reply } from "../contract/v2-reply.js";
import { legacyDate } from "./legacy-date.js";
import { formatOrderId, invalidAnswer, toV1Failure } from "./order-answer.js";

/** v2 order statuses → the words v1 used; v1 knew "pending issuance" for everything not yet issued. */
const LEGACY_STATUS: ReadonlyMap<string, V1OrderStatus> = new Map([
  ["pending", "pending issuance"],
  ["needs_approval", "pending issuance"],
  ["processing", "pending issuance"],
  ["waiting_pickup", "pending issuance"],
  ["reissue_pending", "pending issuance"],
  ["issued", "issued"],
  ["rejected", "rejected"],
  ["canceled", "canceled"],
  ["revoked", "revoked"],
  ["expired", "expired"],
]);

function validityText(order: V2OrderInfo): string {
  const validity = order.order_validity ?? order.certificate?.cert_validity;
  const years = validity?.years ?? order.validity_years;
  if (years !== undefined) return `${years} Year(s)`;
  if (validity?.days !== undefined) return `${validity.days} Day(s)`;
  return "";
}

function orderTotal(price: number | string | undefined): string | undefined {
  const amount = typeof price === "string" ? Number(price) : price;
  return amount === undefined || !Number.isFinite(amount) ? undefined : amount.toFixed(2);
}

/**
 * v2 "Order info" → the v1 order details body. Pure. Fields v1 showed only
 * once they exist (validity dates, the platform, the receipt) are left out until
 * v2 gives them.
 */
export function toV1OrderDetails(order: V2OrderInfo, orderIdFormat: OrderIdFormat): V1OrderDetails {
  const certificate = order.certificate ?? {};
  const platform = certificate.server_platform;
  const total = orderTotal(order.price);
  const validFrom = legacyDate(certificate.valid_from);
  const validTill = legacyDate(certificate.valid_till);
  return {
    certificate_details: {
      order_id: formatOrderId(order.id, orderIdFormat),
      // A status v1 never had is passed on as v2 words it.
      status: LEGACY_STATUS.get(order.status) ?? order.status,
      product_name: order.product?.name ?? "",
      validity: validityText(order),
      org_unit: certificate.organization_units?.[0] ?? "",
      common_name: certificate.common_name ?? "",
      sans: certificate.dns_names ?? [],
      order_date: legacyDate(order.date_created ?? certificate.date_created) ?? "",
      ...(validFrom && { valid_from: validFrom }),
      ...(validTill && { valid_till: validTill }),
      ...(platform && { server_type: String(platform.id), server_type_name: platform.name ?? "" }),
    },
    ...(total !== undefined && { receipt: { order_total: total } }),
  };
}

/** v2's answer to "Order info" → the v1 order details, or the v1 error: v2's 404 is v1's 404. */
export function toV1OrderDetailsOutcome(
  reply: V2Reply,
  orderId: number,
  orderIdFormat: OrderIdFormat,
  keys: readonly string[] = [],
): V1OrderDetails | V1Error {
  if (reply.kind === "answer" && isSuccessStatus(reply.status)) {
    const order = v2OrderInfoSchema.safeParse(reply.body);
    return order.success ? toV1OrderDetails(order.data, orderIdFormat) : invalidAnswer(reply.status);
  }
  // v2's 404 is v1's 404: carried when v2 says why (toV1Failure does that), said plainly when not.
  if (reply.kind === "answer" && reply.status === 404 && !v2ErrorEnvelopeSchema.safeParse(reply.body).success) {
    return new V1Error(404, [{ code: "not_found", description: `There is no order ${orderId} for this account.` }]);
  }
  return toV1Failure(reply, keys);
}
