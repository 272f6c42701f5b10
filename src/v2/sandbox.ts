import { createHash } from "node:crypto";
import { type Context, Hono } from "hono";
import type { z } from "zod";
import { type V2OrderBody, type V2Product, v2OrderBodySchema, v2ProductSchema } from "../contract/v2.js";
import { setNewest } from "../lib/bounded-map.js";
import { sandboxAccountReads } from "./sandbox-account.js";

// An in-process stand-in for the Services API v2, for running the shim with no
// DigiCert account: it checks order payloads as the v2 page describes them and
// answers in v2's shapes, as real v2 writes them (an empty look-up as its page
// alone, `null` for what is not set yet, v2's own body for a bad key), so that
// what works against it works against v2. Its error codes for invalid payloads
// (`invalid_param|<path>`) are its own; v2's real ones are not documented.

export interface SandboxOrder {
  id: number;
  requestId: number;
  product: V2Product;
  body: V2OrderBody;
  created: Date;
  /** Orders are seen only with the key that made them, as in a v2 account. */
  owner: string;
}

export interface SandboxOptions {
  firstOrderId?: number;
  /** An order is pending until this long after it was made, then issued. */
  issueAfterMs?: number;
  /**
   * The longest order_validity.years taken: whether v2 still takes 2 or 3 for code
   * signing (issued for at most 459 days since 24 February 2026) is not documented,
   * so a team can see what its clients get either way.
   */
  maxYears?: number;
  /** Oldest orders are forgotten past this many, so a long-running sandbox stays bounded. */
  maxOrders?: number;
  now?: () => Date;
}

export interface Sandbox {
  app: Hono;
  orders(): readonly SandboxOrder[];
}

const v2Error = (c: Context, status: 400 | 403 | 404, code: string, message: string) => c.json({ errors: [{ code, message }] }, status);

/**
 * A key the sandbox refuses as v2 refuses a bad key: none, one no real key looks
 * like (anything but printable ASCII), or one that begins with `invalid`, so
 * that the answer to a bad key can be tried through the shim. Any other key is
 * an account of its own.
 */
const isBadKey = (apiKey: string | undefined) => !apiKey || !/^[\x21-\x7e]+$/.test(apiKey) || /^invalid/i.test(apiKey);

const ownerOf = (apiKey: string) => createHash("sha256").update(apiKey).digest("hex");

const PRODUCT_NAMES: Readonly<Record<V2Product, string>> = { code_signing: "Code Signing", code_signing_ev: "EV Code Signing" };

/** v2 writes times in UTC with an offset and no fraction: 2026-03-04T17:19:12+00:00. */
const v2Time = (date: Date) => date.toISOString().replace(/\.\d{3}Z$/, "+00:00");
const v2Day = (date: Date) => date.toISOString().slice(0, 10);

function payloadErrors(error: z.ZodError) {
  return error.issues.map((issue) => ({ code: `invalid_param|${issue.path.join(".")}`, message: issue.message }));
}

export function createSandbox({
  firstOrderId = 100001,
  issueAfterMs = 10_000,
  maxYears = 3,
  maxOrders = 10_000,
  now = () => new Date(),
}: SandboxOptions = {}): Sandbox {
  const orders = new Map<number, SandboxOrder>();
  let nextId = firstOrderId;
  let nextRequestId = 1;
  const app = new Hono();
  const statusOf = (order: SandboxOrder) => (now().getTime() - order.created.getTime() >= issueAfterMs ? "issued" : "pending");

  app.use(async (c, next) => {
    if (isBadKey(c.req.header("X-DC-DEVKEY"))) {
      // v2's own words, as it answers them.
      return v2Error(c, 403, "access_denied|access_denied_invalid_key", "Access denied due to access_denied_invalid_key.");
    }
    await next();
  });

  app.post("/order/certificate/:product", async (c) => {
    const product = v2ProductSchema.safeParse(c.req.param("product"));
    if (!product.success) return v2Error(c, 404, "not_found|product", "The specified product was not found.");
    let payload: unknown;
    try {
      payload = await c.req.json();
    } catch {
      return v2Error(c, 400, "bad_request_format", "The request body is malformed.");
    }
    const body = v2OrderBodySchema.safeParse(payload);
    if (!body.success) return c.json({ errors: payloadErrors(body.error) }, 400);
    if ((body.data.order_validity.years ?? 0) > maxYears) {
      return v2Error(c, 400, "invalid_value|order_validity.years", `order_validity.years may be at most ${maxYears} for this product.`);
    }

    const order: SandboxOrder = {
      id: nextId++,
      requestId: nextRequestId++,
      product: product.data,
      body: body.data,
      created: now(),
      owner: ownerOf(c.req.header("X-DC-DEVKEY") ?? ""),
    };
    setNewest(orders, order.id, order, maxOrders);
    // A new order is pending: real v2 says its certificate_id is null until there is one.
    return c.json({ id: order.id, certificate_id: null, requests: [{ id: order.requestId, status: "pending" }] }, 201);
  });

  app.get("/order/alternate/:alternativeOrderId", (c) => {
    const owner = ownerOf(c.req.header("X-DC-DEVKEY") ?? "");
    const id = c.req.param("alternativeOrderId");
    const matching = [...orders.values()].filter((o) => o.owner === owner && o.body.alternative_order_id === id);
    const page = { total: matching.length, limit: 1000, offset: 0 };
    // Real v2 lists none as its page alone, with no `orders` key at all.
    if (matching.length === 0) return c.json({ page });
    const listed = matching.map((o) => {
      const status = statusOf(o);
      return { order_id: o.id, certificate_id: status === "issued" ? o.id : null, status };
    });
    return c.json({ orders: listed, page });
  });

  app.get("/order/certificate/:orderId", (c) => {
    const order = orders.get(Number(c.req.param("orderId")));
    if (!order || order.owner !== ownerOf(c.req.header("X-DC-DEVKEY") ?? "")) {
      return v2Error(c, 404, "not_found|order", "The specified order was not found.");
    }
    const issued = statusOf(order) === "issued";
    const years = order.body.order_validity.years ?? 1;
    const validTill = new Date(order.created.getTime() + issueAfterMs);
    validTill.setUTCFullYear(validTill.getUTCFullYear() + years);
    const platform = order.body.certificate.server_platform;
    return c.json({
      id: order.id,
      status: statusOf(order),
      date_created: v2Time(order.created),
      product: { name_id: order.product, name: PRODUCT_NAMES[order.product], type: "code_signing_certificate" },
      certificate: {
        id: order.id,
        common_name: order.body.organization.name ?? "",
        dns_names: [],
        date_created: v2Time(order.created),
        organization_units: order.body.certificate.organization_units ?? [],
        ...(platform && { server_platform: { id: platform.id, name: platform.id === -1 ? "OTHER" : `Platform ${platform.id}` } }),
        ...(issued && { valid_from: v2Day(new Date(order.created.getTime() + issueAfterMs)), valid_till: v2Day(validTill) }),
        signature_hash: order.body.certificate.signature_hash,
      },
      order_validity: order.body.order_validity,
      alternative_order_id: order.body.alternative_order_id,
    });
  });

  // What `v1-shim doctor` reads: the user, the products, containers and organizations.
  app.route("/", sandboxAccountReads());

  app.notFound((c) => v2Error(c, 404, "not_found|route", "The endpoint does not exist."));

  return { app, orders: () => [...orders.values()] };
}
