import { type Context, Hono } from "hono";
import { DEFAULT_PLATFORM_TABLES, type Platform } from "../contract/platforms.js";
import { V1_VALIDITY_YEARS } from "../contract/v1-order.js";
import type { V2Product } from "../contract/v2.js";

// The read-only v2 endpoints `v1-shim doctor` asks, answered by the sandbox so
// that the preflight runs with no DigiCert account at all. The sandbox stands
// in for an account that has everything: both products, every platform of the
// shim's own table, and any container or organization asked for.

const PRODUCTS: Readonly<Record<V2Product, { name: string; platforms: readonly Platform[] }>> = {
  code_signing: {
    name: "Code Signing",
    platforms: [...DEFAULT_PLATFORM_TABLES.code_signing_ev, ...DEFAULT_PLATFORM_TABLES.code_signing],
  },
  code_signing_ev: { name: "EV Code Signing", platforms: DEFAULT_PLATFORM_TABLES.code_signing_ev },
};
const GROUP = "code_signing_certificate";

const notFound = (c: Context, what: string) =>
  c.json({ errors: [{ code: `not_found|${what}`, message: `The specified ${what} was not found.` }] }, 404);

/** A positive whole number from the path, or undefined. */
const idOf = (text: string | undefined) => (text && /^[1-9]\d{0,15}$/.test(text) ? Number(text) : undefined);

/** v2's server platforms for a product: each v2 id once, named as the shim's table names it. */
function serverPlatforms(platforms: readonly Platform[]) {
  const byId = new Map<number, string>();
  for (const platform of platforms)
    if (!byId.has(platform.v2_id)) byId.set(platform.v2_id, platform.v2_id === -1 ? "OTHER" : platform.name);
  return [...byId].map(([id, name]) => ({ id, name }));
}

export function sandboxAccountReads(): Hono {
  const app = new Hono();
  app.get("/user/me", (c) =>
    c.json({
      id: 1,
      username: "sandbox",
      account_id: 1,
      first_name: "Sandbox",
      last_name: "User",
      email: "sandbox@example.invalid",
      status: "active",
      container: { id: 1, name: "Sandbox", is_active: true },
      access_roles: [{ id: 1, name: "Administrator" }],
    }),
  );
  app.get("/product", (c) =>
    c.json({ products: Object.entries(PRODUCTS).map(([nameId, { name }]) => ({ group_name: GROUP, name_id: nameId, name, type: GROUP })) }),
  );
  app.get("/product/:nameId", (c) => {
    const nameId = c.req.param("nameId");
    const product = Object.hasOwn(PRODUCTS, nameId) ? PRODUCTS[nameId as V2Product] : undefined;
    if (!product) return notFound(c, "product");
    return c.json({
      group_name: GROUP,
      name_id: nameId,
      name: product.name,
      type: GROUP,
      allowed_validity_years: V1_VALIDITY_YEARS.map(Number),
      server_platforms: serverPlatforms(product.platforms),
    });
  });
  app.get("/container/:id", (c) => {
    const id = idOf(c.req.param("id"));
    return id ? c.json({ id, name: `Sandbox container ${id}`, parent_id: 0, is_active: true }) : notFound(c, "container");
  });
  app.get("/organization/:id", (c) => {
    const id = idOf(c.req.param("id"));
    const name = `Sandbox organization ${id}`;
    return id ? c.json({ id, status: "active", name, display_name: name, is_active: true }) : notFound(c, "organization");
  });
  return app;
}
