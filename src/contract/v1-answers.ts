import { z } from "zod";

// The v1 answers the shim gives, and the order id a client names, as schemas:
// they type the mapping's output and generate the OpenAPI document.

/** v1 writes months as three capitals. */
export const MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];

/** What legacyDate writes. */
const legacyDateSchema = z
  .string()
  .regex(new RegExp(`^\\d{2}-(${MONTHS.join("|")})-\\d{4}$`))
  .meta({ description: "A date as DD-MON-YYYY, such as 04-MAR-2026." });

export type OrderIdFormat = "number" | "padded";

/** The order id as the answers write it, per SHIM_ORDER_ID_FORMAT. */
const v1OrderIdSchemas = {
  number: z.number().int().positive().meta({ description: "The order's number, such as 222307." }),
  padded: z
    .string()
    .regex(/^\d{8,}$/)
    .meta({ description: "The order's number zero-padded to 8 digits, such as 00222307." }),
} as const satisfies Record<OrderIdFormat, z.ZodType<number | string>>;

/** The v1 answer to an order, `{"order_id": …}`, under one SHIM_ORDER_ID_FORMAT. */
export const v1OrderCreatedSchemaFor = (format: OrderIdFormat) => z.object({ order_id: v1OrderIdSchemas[format] });
export type V1OrderCreated = z.infer<ReturnType<typeof v1OrderCreatedSchemaFor>>;

/** The statuses v1 knew; v1 said "pending issuance" for everything not yet issued. */
const V1_ORDER_STATUSES = ["pending issuance", "issued", "rejected", "canceled", "revoked", "expired"] as const;
export type V1OrderStatus = (typeof V1_ORDER_STATUSES)[number];

// Legacy clients read the details' fields without checking that they are there,
// so every one is always present: empty ("", false, 0, as its type says) when v2
// has nothing for it.
const orEmpty = <T extends z.ZodType<string>>(schema: T) => z.union([schema, z.literal("")]);

/** The v1 order details body as the shim answers it under one SHIM_ORDER_ID_FORMAT. */
export function v1OrderDetailsSchemaFor(format: OrderIdFormat) {
  return z.object({
    certificate_details: z.object({
      order_id: v1OrderIdSchemas[format],
      status: z.string().meta({
        description: `${V1_ORDER_STATUSES.join(", ")}; a status v1 never had, as v2 words it.`,
      }),
      product_name: z.string().meta({ description: "The product, such as EV Code Signing; empty when v2 gives none." }),
      validity: z
        .string()
        .regex(/^\d+ (Year|Day)\(s\)$/)
        .meta({ description: "N Year(s) or N Day(s); never empty: 0 Year(s) when v2 gives no validity." }),
      org_unit: z.string().meta({ description: "The certificate's first organization unit, or empty." }),
      common_name: z.string().meta({ description: "The certificate's common name, or empty." }),
      sans: z.array(z.string()).meta({ description: "The certificate's DNS names; empty for code signing." }),
      order_date: orEmpty(legacyDateSchema).meta({ description: "The order's date as DD-MON-YYYY; empty when v2 gives none." }),
      valid_from: orEmpty(legacyDateSchema).meta({ description: "The certificate's first day as DD-MON-YYYY; empty until it is issued." }),
      valid_till: orEmpty(legacyDateSchema).meta({ description: "The certificate's last day as DD-MON-YYYY; empty until it is issued." }),
      server_type: orEmpty(z.string().regex(/^-?\d+$/)).meta({ description: "The platform's id; empty until the order has one." }),
      server_type_name: z.string().meta({ description: "The platform's name; empty until the order has one." }),
      site_seal_token: z.literal("").meta({ description: "Always empty: code-signing orders have no site seal." }),
      business_unit: z.literal("").meta({ description: "Always empty: v2 orders have no business unit." }),
      is_renewal: z.boolean().meta({ description: "Whether v2 says the order renews another; false when it says nothing." }),
      renewed_order_id: (format === "number" ? z.union([v1OrderIdSchemas.number, z.literal(0)]) : orEmpty(v1OrderIdSchemas.padded)).meta({
        description: `The order this one renews, as v2 gives it, written as order_id is; ${format === "number" ? "0" : "empty"} for none.`,
      }),
    }),
    receipt: z
      .object({
        order_total: orEmpty(z.string().regex(/^-?\d+\.\d{2}$/)).meta({
          description: "The price with two decimals, such as 499.00; empty when v2 gives no price.",
        }),
      })
      .meta({ description: "Always present." }),
  });
}

export type V1OrderDetails = z.infer<ReturnType<typeof v1OrderDetailsSchemaFor>>;

/** `00222307` and `222307` are the same order; anything but digits, or zero, is refused. */
export const orderIdParamSchema = z
  .string()
  .regex(/^\d{1,15}$/)
  .transform(Number)
  .refine((id) => id >= 1)
  .meta({ description: "The order's number, zero-padded (00222307) or not (222307): digits, not zero." });
