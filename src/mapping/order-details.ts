import { z } from "zod";
import { V1Error } from "../v1/errors.js";
import type { V2Reply } from "../v2/client.js";
import { v2ErrorEnvelopeSchema, v2OrderInfoSchema, type V2OrderInfo } from "../v2/schema.js";
import { legacyDate, legacyDateSchema } from "./legacy-date.js";
import { carriedErrors, formatOrderId, invalidAnswer, toV1Failure, v1OrderIdSchemas, type OrderIdFormat } from "./order-response.js";

/** v2 order statuses → the words v1 used; v1 knew "pending issuance" for everything not yet issued. */
const LEGACY_STATUS: ReadonlyMap<string, string> = new Map([
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

/** The v1 order details body as the shim answers it under one SHIM_ORDER_ID_FORMAT. */
export function v1OrderDetailsSchemaFor(format: OrderIdFormat) {
  return z.object({
    certificate_details: z.object({
      order_id: v1OrderIdSchemas[format],
      status: z.string().meta({
        description: `${[...new Set(LEGACY_STATUS.values())].join(", ")}; a status v1 never had, as v2 words it.`,
      }),
      product_name: z.string().meta({ description: "The product, such as EV Code Signing; empty when v2 gives none." }),
      validity: z
        .string()
        .regex(/^(\d+ (Year|Day)\(s\))?$/)
        .meta({ description: "N Year(s) or N Day(s); empty when v2 gives none." }),
      org_unit: z.string().meta({ description: "The certificate's first organization unit, or empty." }),
      common_name: z.string().meta({ description: "The certificate's common name, or empty." }),
      sans: z.array(z.string()).meta({ description: "The certificate's DNS names; empty for code signing." }),
      order_date: z.union([legacyDateSchema, z.literal("")]).meta({ description: "The order's date as DD-MON-YYYY; empty when v2 gives none." }),
      valid_from: legacyDateSchema.optional(),
      valid_till: legacyDateSchema.optional(),
      server_type: z.string().optional().meta({ description: "The platform's id, once the order has one." }),
      server_type_name: z.string().optional().meta({ description: "The platform's name, once the order has one." }),
    }),
    receipt: z
      .object({
        order_total: z
          .string()
          .regex(/^-?\d+\.\d{2}$/)
          .meta({ description: "The price with two decimals, such as 499.00." }),
      })
      .optional()
      .meta({ description: "Only when v2 gives the order's price." }),
  });
}

export type V1OrderDetails = z.infer<ReturnType<typeof v1OrderDetailsSchemaFor>>;

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
export function toV1OrderDetailsOutcome(reply: V2Reply, orderId: number, orderIdFormat: OrderIdFormat): V1OrderDetails | V1Error {
  if (reply.kind === "answer" && reply.status >= 200 && reply.status < 300) {
    const order = v2OrderInfoSchema.safeParse(reply.body);
    return order.success ? toV1OrderDetails(order.data, orderIdFormat) : invalidAnswer(reply.status);
  }
  // v2's 404 is v1's 404: carried when v2 says why (toV1Failure does that), said plainly when not.
  if (reply.kind === "answer" && reply.status === 404 && !v2ErrorEnvelopeSchema.safeParse(reply.body).success) {
    return new V1Error(404, [{ code: "not_found", description: `There is no order ${orderId} for this account.` }]);
  }
  return toV1Failure(reply);
}
