import type { OrderIdFormat, V1OrderDetails, V1OrderStatus } from "../contract/v1-answers.js";
import { v1Errors } from "../contract/v1-errors.js";
import { type V2OrderInfo, v2ErrorEnvelopeSchema, v2OrderInfoSchema } from "../contract/v2.js";
import { isSuccessStatus, type V2Reply } from "../contract/v2-reply.js";
import { legacyDate } from "./legacy-date.js";
import { formatOrderId, toV1Failure } from "./order-answer.js";

/** v2 order statuses → the words v1 used; v1 knew "pending issuance" for everything not yet issued. */
const LEGACY_STATUS: ReadonlyMap<string, V1OrderStatus> = new Map([
  ["pending", "pending issuance"],
  ["needs_approval", "pending issuance"],
  // Seen in real Order info answers: approved, not yet issued.
  ["approved", "pending issuance"],
  ["processing", "pending issuance"],
  ["waiting_pickup", "pending issuance"],
  ["reissue_pending", "pending issuance"],
  ["issued", "issued"],
  ["rejected", "rejected"],
  ["canceled", "canceled"],
  ["revoked", "revoked"],
  ["expired", "expired"],
]);

/** No order, written as an order id is: the empty value of its type. */
const NO_ORDER = { number: 0, padded: "" } as const satisfies Record<OrderIdFormat, number | string>;

/**
 * Never empty, since clients parse it: with no validity from v2, `0 Year(s)`, 0
 * standing for "none" as it does for the other numbers of the details.
 */
function validityText(order: V2OrderInfo): string {
  const validity = order.order_validity ?? order.certificate?.cert_validity;
  const years = validity?.years ?? order.validity_years;
  if (years !== undefined) return `${years} Year(s)`;
  if (validity?.days !== undefined) return `${validity.days} Day(s)`;
  return "0 Year(s)";
}

function orderTotal(price: number | string | undefined): string {
  const amount = typeof price === "string" ? Number(price) : price;
  return amount === undefined || !Number.isFinite(amount) ? "" : amount.toFixed(2);
}

/**
 * v2 "Order info" → the v1 order details body. Pure. Legacy clients read every
 * field without checking it is there, so every field is: empty ("", false, 0)
 * until v2 gives it (validity dates and the platform, for instance, once issued).
 */
export function toV1OrderDetails(order: V2OrderInfo, orderIdFormat: OrderIdFormat): V1OrderDetails {
  const certificate = order.certificate ?? {};
  const platform = certificate.server_platform;
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
      valid_from: legacyDate(certificate.valid_from) ?? "",
      valid_till: legacyDate(certificate.valid_till) ?? "",
      server_type: platform ? String(platform.id) : "",
      server_type_name: platform?.name ?? "",
      site_seal_token: "",
      business_unit: "",
      is_renewal: order.is_renewal ?? order.renewed_order_id !== undefined,
      renewed_order_id:
        order.renewed_order_id === undefined ? NO_ORDER[orderIdFormat] : formatOrderId(order.renewed_order_id, orderIdFormat),
    },
    receipt: { order_total: orderTotal(order.price) },
  };
}

/** v2's answer to "Order info" → the v1 order details; anything else **throws** the v1 error (v2's 404 is v1's 404). */
export function toV1OrderDetailsOutcome(
  reply: V2Reply,
  orderId: number,
  orderIdFormat: OrderIdFormat,
  keys: readonly string[] = [],
): V1OrderDetails {
  if (reply.kind === "answer" && isSuccessStatus(reply.status)) {
    const order = v2OrderInfoSchema.safeParse(reply.body);
    if (order.success) return toV1OrderDetails(order.data, orderIdFormat);
    throw v1Errors.upstreamInvalidAnswer(reply.status);
  }
  // v2's 404 is v1's 404: carried when v2 says why (toV1Failure does that), said plainly when not.
  if (reply.kind === "answer" && reply.status === 404 && !v2ErrorEnvelopeSchema.safeParse(reply.body).success) {
    throw v1Errors.orderNotFound(orderId);
  }
  throw toV1Failure(reply, keys);
}
