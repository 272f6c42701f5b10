import { z } from "zod";
import { LEGACY_COUNTRY_CODES } from "./legacy-countries.js";
import { allowedPlatforms, findPlatform, type PlatformTables } from "./platforms.js";

// The fields of v1 `POST /order/code` and their rules (legacy-v1.md, "Fields of
// POST /order/code"), plus the v2 length limits, checked here so that a client
// hears about `org_name`, the field it sent, and not about `organization.name`.
//
// Every message completes a sentence that starts with the field's name.

/** v1 values are text; JSON numbers and booleans are read as their text, and "" as absent. */
function asText(value: unknown): unknown {
  if (typeof value === "string") return value.trim() === "" ? undefined : value.trim();
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return value ?? undefined;
}

/**
 * The known fields, read as text, in one pass before the schema. A preprocess
 * and a pipe on each of 27 fields cost validation three times as much (measured).
 */
function asTextFields(fields: unknown): unknown {
  if (typeof fields !== "object" || fields === null) return fields;
  const texts: Record<string, unknown> = {};
  for (const name of V1_ORDER_FIELDS) {
    const value = asText((fields as Record<string, unknown>)[name]);
    if (value !== undefined) texts[name] = value;
  }
  return texts;
}

/** A field with no value is missing; one that is still not text was a list or an element with children. */
export const MISSING = "is required";
const textError = (issue: z.core.$ZodRawIssue) =>
  issue.code === "invalid_type"
    ? issue.input === undefined
      ? MISSING
      : "must be a single value, not a list or an element with children"
    : undefined;
const str = () => z.string({ error: textError });

/**
 * What no free-text field may hold, so that it never reaches v2: control
 * characters (NUL, ESC, newlines), lone surrogates, invisible direction controls
 * (bidi overrides, isolates, marks), line separators, the byte order mark, and
 * U+FFFD, which stands for text that could not be decoded, never for a name.
 */
const PLAIN_TEXT = /^[^\p{Cc}\p{Cs}\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069\u2028\u2029\uFEFF\uFFFD]*$/u;
const PLAIN_TEXT_RULE = "must not contain control characters, invisible direction marks or undecodable characters";
const text = () => str().regex(PLAIN_TEXT, PLAIN_TEXT_RULE);
const anyText = text();
const atMost = (max: number) => text().max(max, `must be at most ${max} characters`);

/** Enumerated values are matched in any case: `True` from a Python client is `true`. */
function oneOf<const T extends readonly [string, ...string[]]>(values: T, message: string) {
  return str()
    .toLowerCase()
    .pipe(z.enum(values, { error: message }));
}

const country = str()
  .toLowerCase()
  .refine((code) => LEGACY_COUNTRY_CODES.has(code), "must be a two-letter country code, such as US or ca, from the legacy list");

const SHIP_ADDRESS_FIELDS = ["ship_name", "ship_addr1", "ship_city", "ship_state", "ship_zip", "ship_country"] as const;

// Each field's description is its rule in one sentence, for the contract document
// (GET /_shim/openapi.json); the rule itself is the schema beside it.
const SHIP_RULE = `with cs_provisioning_method ship_token, send all of ${SHIP_ADDRESS_FIELDS.join(", ")} or none (to ship to the organization's address); without ship_token the ship fields are ignored`;

/** The validities a v1 order may ask for, in years. */
export const V1_VALIDITY_YEARS = ["1", "2", "3"] as const;

const fields = {
  validity: oneOf(V1_VALIDITY_YEARS, "must be 1, 2 or 3 (years)").transform(Number).meta({
    description: "The certificate's validity in years: 1, 2 or 3.",
  }),
  platform: str()
    .regex(/^-?\d+$/, "must be a platform id, such as 2 or 51")
    .transform(Number)
    .optional()
    .meta({
      description:
        "The platform or hardware token the certificate is installed on, an id of the EV table when ev is true and of either table otherwise; required unless cs_provisioning_method is ship_token.",
    }),
  cs_provisioning_method: oneOf(["ship_token", "client_app"], "must be ship_token or client_app").optional().meta({
    description:
      "For EV Code Signing, ship_token to have a hardware token shipped or client_app to install with DigiCert's tool, in any case.",
  }),
  cs_ship_method: oneOf(["standard", "expedited"], "must be standard or expedited").optional().meta({
    description: "How a shipped hardware token travels: standard (the default) or expedited, in any case.",
  }),
  ship_name: anyText.optional().meta({ description: `Name of the person the hardware token is shipped to; ${SHIP_RULE}.` }),
  ship_addr1: anyText.optional().meta({ description: `Line 1 of the address the hardware token is shipped to; ${SHIP_RULE}.` }),
  ship_addr2: anyText.optional().meta({
    description: "Line 2 of the address the hardware token is shipped to; with ship_token, giving it asks for the other ship fields.",
  }),
  ship_city: anyText.optional().meta({ description: `City the hardware token is shipped to; ${SHIP_RULE}.` }),
  ship_state: anyText.optional().meta({ description: `State or province the hardware token is shipped to; ${SHIP_RULE}.` }),
  ship_zip: anyText.optional().meta({ description: `Zip or postal code the hardware token is shipped to; ${SHIP_RULE}.` }),
  ship_country: country.optional().meta({
    description: `Country the hardware token is shipped to, one of the legacy two-letter country codes in any case, checked even without ship_token; ${SHIP_RULE}.`,
  }),
  org_unit: anyText.optional().meta({ description: "The organization unit (OU) to include in the certificate." }),
  org_name: atMost(64).meta({ description: "Name of the organization, at most 64 characters." }),
  org_addr1: atMost(64).meta({ description: "Line 1 of the organization's address, at most 64 characters." }),
  org_addr2: atMost(64).optional().meta({ description: "Line 2 of the organization's address, at most 64 characters." }),
  org_city: atMost(64).meta({ description: "City of the organization's address, at most 64 characters." }),
  org_state: atMost(64).meta({ description: "State or province of the organization's address, at most 64 characters." }),
  org_zip: atMost(128).meta({ description: "Zip or postal code of the organization's address, at most 128 characters." }),
  org_country: country.meta({
    description: "Country of the organization's address, one of the legacy two-letter country codes (such as us), in any case.",
  }),
  telephone: atMost(32).meta({ description: "Main telephone number of the organization, at most 32 characters." }),
  org_contact_firstname: atMost(128).meta({ description: "First name of the organization contact, at most 128 characters." }),
  org_contact_lastname: atMost(128).meta({ description: "Last name of the organization contact, at most 128 characters." }),
  org_contact_job_title: atMost(64).meta({ description: "Job title of the organization contact, at most 64 characters." }),
  org_contact_email: z
    .email({ error: (issue) => textError(issue) ?? "must be an email address, such as gm@example.com" })
    .max(255, "must be at most 255 characters")
    .meta({
      description: "Email address of the organization contact, at most 255 characters.",
    }),
  org_contact_telephone: atMost(32).meta({ description: "Telephone number of the organization contact, at most 32 characters." }),
  org_contact_telephone_ext: atMost(16).optional().meta({
    description: "Extension of the organization contact's telephone number, at most 16 characters.",
  }),
  ev: oneOf(["true", "false"], "must be true or false")
    .optional()
    .transform((ev) => ev === "true")
    .meta({ description: "Whether this is an EV Code Signing order: true or false (the default), in any case." }),
};

/** The v1 field names in the order the legacy page lists them; errors are reported in this order. */
export const V1_ORDER_FIELDS = Object.keys(fields) as (keyof typeof fields)[];

/** Marks a custom issue as a missing field rather than a wrong one. */
export const REQUIRED = { v1: "required_param" } as const;

export function makeV1OrderSchema(platforms: PlatformTables) {
  return z.preprocess(asTextFields, z.object(fields)).superRefine(
    (order, ctx) => {
      // This runs even when single fields failed, so that every problem is
      // reported at once; a field that failed holds its raw input here, hence
      // the typeof checks the inferred types would call redundant.
      const shipsToken = order.cs_provisioning_method === "ship_token";
      if (order.platform === undefined && !shipsToken) {
        ctx.addIssue({
          code: "custom",
          path: ["platform"],
          params: REQUIRED,
          message: "is required unless cs_provisioning_method is ship_token",
        });
      }
      if (typeof order.platform === "number" && typeof order.ev === "boolean" && !findPlatform(platforms, order.platform, order.ev)) {
        const allowed = allowedPlatforms(platforms, order.ev).map((p) => p.v1_id);
        const product = order.ev ? "an EV Code Signing" : "a Code Signing";
        ctx.addIssue({ code: "custom", path: ["platform"], message: `must be ${product} platform id: one of ${allowed.join(", ")}` });
      }
      if (shipsToken) {
        const given = [...SHIP_ADDRESS_FIELDS, "ship_addr2" as const].filter((f) => order[f] !== undefined);
        if (given.length > 0) {
          for (const missing of SHIP_ADDRESS_FIELDS.filter((f) => order[f] === undefined)) {
            ctx.addIssue({
              code: "custom",
              path: [missing],
              params: REQUIRED,
              message: `is required when a token is shipped to an address of its own (${given.join(", ")} given); send all of ${SHIP_ADDRESS_FIELDS.join(", ")}, or none to ship to the organization's address`,
            });
          }
        }
      }
    },
    { when: () => true },
  );
}

export type V1OrderSchema = ReturnType<typeof makeV1OrderSchema>;
export type V1Order = z.infer<V1OrderSchema>;
