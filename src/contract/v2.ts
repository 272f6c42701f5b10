import { z } from "zod";

// The Services API v2 "Order code signing certificate" request and answers, as
// the v2 page describes them (shared/seeds/000_…). The mapping's output is typed
// by these schemas and the sandbox validates what it receives with them.

const V2_PRODUCTS = ["code_signing", "code_signing_ev"] as const;
export const v2ProductSchema = z.enum(V2_PRODUCTS);
export type V2Product = z.infer<typeof v2ProductSchema>;

// The page describes a contact, and an organization, as one object whose fields
// are "conditional": an existing user or organization is named by its id, a new
// one by its details. One object with the conditions as checks keeps the path of
// a problem exact (a union would report only that no branch matched).

const missing = (ctx: z.core.ParsePayload, field: string, why: string) =>
  ctx.issues.push({ code: "custom", input: ctx.value, path: [field], message: `${field} is required ${why}` });

const contactSchema = z
  .object({
    contact_type: z.enum(["organization_contact", "technical_contact", "verified_contact", "ev_approver"]),
    user_id: z.union([z.number().int(), z.string().min(1)]).optional(),
    first_name: z.string().min(1).max(128).optional(),
    last_name: z.string().min(1).max(128).optional(),
    job_title: z.string().max(64).optional(),
    telephone: z.string().max(32).optional(),
    telephone_extension: z.string().max(16).optional(),
    email: z.string().min(1).max(255).optional(),
  })
  .check((ctx) => {
    const contact = ctx.value;
    if (contact.user_id !== undefined) return;
    for (const field of ["first_name", "last_name", "email"] as const) {
      if (!contact[field]) missing(ctx, field, "for a contact without a user_id");
    }
    if (contact.contact_type === "verified_contact") {
      for (const field of ["job_title", "telephone"] as const) {
        if (!contact[field]) missing(ctx, field, "for a verified_contact");
      }
    }
  });
export type V2Contact = z.infer<typeof contactSchema>;

// The order-level organization contact: v2 uses it for this order alone, and
// neither adds it to the organization nor asks it to approve anything.
const orderContactSchema = z.object({
  first_name: z.string().min(1).max(128),
  last_name: z.string().min(1).max(128),
  email: z.string().min(1).max(255),
  job_title: z.string().max(64).optional(),
  telephone: z.string().max(32).optional(),
  telephone_extension: z.string().max(16).optional(),
});

const NEW_ORGANIZATION_FIELDS = ["name", "address", "city", "state", "zip", "country", "telephone"] as const;

const organizationSchema = z
  .object({
    id: z.number().int().positive().optional(),
    name: z.string().min(1).max(64).optional(),
    assumed_name: z.string().max(64).optional(),
    address: z.string().min(1).max(64).optional(),
    address2: z.string().max(64).optional(),
    city: z.string().min(1).max(64).optional(),
    state: z.string().min(1).max(64).optional(),
    zip: z.string().min(1).max(128).optional(),
    country: z
      .string()
      .regex(/^[a-z]{2}$/i, "must be an ISO 3166-1 alpha-2 code")
      .optional(),
    telephone: z.string().min(1).max(32).optional(),
    contacts: z.array(contactSchema).optional(),
    skip_duplicate_org_check: z.boolean().optional(),
  })
  .check((ctx) => {
    if (ctx.value.id !== undefined) return;
    for (const field of NEW_ORGANIZATION_FIELDS) {
      if (!ctx.value[field]) missing(ctx, field, "to create an organization (or give its id)");
    }
  });

const v2ShipInfoSchema = z.object({
  name: z.string().min(1),
  addr1: z.string().min(1),
  addr2: z.string().optional(),
  city: z.string().min(1),
  state: z.string().min(1),
  zip: z.string().min(1),
  country: z.string().min(1),
  method: z.enum(["STANDARD", "EXPEDITED"]),
});

export const v2OrderBodySchema = z.object({
  certificate: z.object({
    signature_hash: z.enum(["sha256", "sha384", "sha512"]),
    server_platform: z.object({ id: z.number().int() }).optional(),
    organization_units: z.array(z.string().min(1)).optional(),
    csr: z.string().optional(),
    ca_cert_id: z.string().optional(),
  }),
  order_validity: z
    .object({
      years: z.number().int().min(1).max(3).optional(),
      days: z.number().int().positive().optional(),
      custom_expiration_date: z.string().optional(),
    })
    .refine((v) => v.years ?? v.days ?? v.custom_expiration_date, "one of years, days or custom_expiration_date is required"),
  // Deprecated by v2 for order_validity, and never sent; its refusals may still name it.
  validity_years: z.number().int().min(1).max(3).optional(),
  organization: organizationSchema,
  organization_contact: orderContactSchema.optional(),
  container: z.object({ id: z.number().int().positive() }).optional(),
  skip_approval: z.boolean().optional(),
  cs_provisioning_method: z.enum(["ship_token", "client_app", "email", "keylocker"]).optional(),
  ship_info: v2ShipInfoSchema.optional(),
  alternative_order_id: z.string().min(1).max(64).optional(),
});
export type V2OrderBody = z.infer<typeof v2OrderBodySchema>;

// Real v2 answers carry `null` for a field not set yet (`certificate_id` while an
// order is pending, much of Order info). In what v2 answers, null is absent: one
// helper for every optional field, so no field is left reading null as a value.
// (The request schemas above describe what the shim sends, which is never null.)
const optionalField = <T extends z.ZodType>(schema: T) => z.preprocess((value) => value ?? undefined, schema.optional());

export const v2OrderCreatedSchema = z.object({
  id: z.number().int().positive(),
  certificate_id: optionalField(z.number().int()),
  requests: optionalField(z.array(z.object({ id: z.number().int(), status: z.string() }))),
});

export const v2ErrorEnvelopeSchema = z.object({
  errors: z.array(z.object({ code: z.string().min(1), message: optionalField(z.string()) })).min(1),
});
export type V2ErrorEnvelope = z.infer<typeof v2ErrorEnvelopeSchema>;

/**
 * `GET /order/alternate/{alternative_order_id}`: the orders that carry the id.
 * With none, real v2 answers its `page` alone (`{"page":{"total":0,…}}`), so
 * either may be missing, but not both: an answer with neither is not a look-up's.
 * What an answer means is lookupAnswer's to say (v2-reply.ts).
 */
export const v2AlternateOrdersSchema = z
  .object({
    orders: optionalField(
      z.array(
        z.object({
          order_id: z.number().int().positive(),
          certificate_id: optionalField(z.number().int()),
          status: optionalField(z.string()),
        }),
      ),
    ),
    page: optionalField(z.object({ total: optionalField(z.number().int().nonnegative()) })),
  })
  .refine((answer) => answer.orders !== undefined || answer.page !== undefined, "a look-up answer lists orders or gives a page");

const validitySchema = z.object({ years: optionalField(z.number().int()), days: optionalField(z.number().int()) });

/**
 * `GET /order/certificate/{order_id}` ("Order info"), the parts the legacy order
 * details need. Lenient on purpose: v2 adds fields freely, and only a missing id
 * or status makes an answer unreadable.
 */
export const v2OrderInfoSchema = z.object({
  id: z.number().int().positive(),
  status: z.string(),
  date_created: optionalField(z.string()),
  product: optionalField(z.object({ name: optionalField(z.string()), name_id: optionalField(z.string()) })),
  certificate: optionalField(
    z.object({
      common_name: optionalField(z.string()),
      dns_names: optionalField(z.array(z.string())),
      date_created: optionalField(z.string()),
      valid_from: optionalField(z.string()),
      valid_till: optionalField(z.string()),
      organization_units: optionalField(z.array(z.string())),
      server_platform: optionalField(z.object({ id: z.number().int(), name: optionalField(z.string()) })),
      cert_validity: optionalField(validitySchema),
    }),
  ),
  order_validity: optionalField(validitySchema),
  validity_years: optionalField(z.number().int()),
  price: optionalField(z.union([z.number(), z.string()])),
  is_renewal: optionalField(z.boolean()),
  renewed_order_id: optionalField(z.number().int().positive()),
});
export type V2OrderInfo = z.infer<typeof v2OrderInfoSchema>;

/** The v2 request as the translate endpoint and the command line show it: what v2 receives below its base URL, less the key. */
export const v2RequestPreviewSchema = z.object({
  method: z.literal("POST"),
  path: z.templateLiteral(["/order/certificate/", v2ProductSchema]),
  body: v2OrderBodySchema,
});
export type ShownRequest = z.infer<typeof v2RequestPreviewSchema>;
