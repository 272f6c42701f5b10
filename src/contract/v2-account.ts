import { z } from "zod";

// The v2 answers `v1-shim doctor` reads, as DigiCert's v2 pages describe them
// ("User info", "Product list", "Product info", "Container info",
// "Organization info"): only the parts the checks use, lenient about the rest.

/** `GET /user/me`: the user the API key belongs to. */
export const v2UserSchema = z.object({
  id: z.number().int(),
  username: z.string().optional(),
  account_id: z.number().int().optional(),
  status: z.string().optional(),
});

/** `GET /product`: the products available to the key's account. */
export const v2ProductListSchema = z.object({
  products: z.array(z.object({ name_id: z.string(), name: z.string().optional() })),
});

/** `GET /product/{name_id}`: what v2 allows for one product. */
export const v2ProductInfoSchema = z.object({
  name_id: z.string(),
  name: z.string().optional(),
  allowed_validity_years: z.array(z.number().int()).optional(),
  server_platforms: z.array(z.object({ id: z.number().int(), name: z.string().optional() })).optional(),
});
export type V2ProductInfo = z.infer<typeof v2ProductInfoSchema>;

/** `GET /container/{container_id}`. */
export const v2ContainerSchema = z.object({
  id: z.number().int(),
  name: z.string().optional(),
  is_active: z.boolean().optional(),
});

/** `GET /organization/{organization_id}`: `status` is `active` or `inactive`. */
export const v2OrganizationSchema = z.object({
  id: z.number().int(),
  name: z.string().optional(),
  display_name: z.string().optional(),
  status: z.string().optional(),
  is_active: z.boolean().optional(),
});
