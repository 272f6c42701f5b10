import { createHash } from "node:crypto";
import { Hono, type Context } from "hono";
import type { z } from "zod";
import { v2OrderBodySchema, v2ProductSchema, type V2OrderBody, type V2Product } from "./schema.js";

// An in-process stand-in for the Services API v2, for running the shim with no
// DigiCert account: it checks order payloads as the v2 page describes them and
// answers in v2's shapes. Its error codes for invalid payloads
// (`invalid_param|<path>`) are its own; v2's real ones are not documented.

export interface SandboxOrder {
  id: number;
  requestId: number;
  product: V2Product;
  body: V2OrderBody;
  status: "pending";
  dateCreated: string;
  /** Orders are seen only with the key that made them, as in a v2 account. */
  owner: string;
}

export interface SandboxOptions {
  firstOrderId?: number;
  /** Oldest orders are forgotten past this many, so a long-running sandbox stays bounded. */
  maxOrders?: number;
  now?: () => Date;
}

export interface Sandbox {
  app: Hono;
  orders(): readonly SandboxOrder[];
}

const v2Error = (c: Context, status: 400 | 403 | 404, code: string, message: string) =>
  c.json({ errors: [{ code, message }] }, status);

const ownerOf = (apiKey: string) => createHash("sha256").update(apiKey).digest("hex");

function payloadErrors(error: z.ZodError) {
  return error.issues.map((issue) => ({ code: `invalid_param|${issue.path.join(".")}`, message: issue.message }));
}

export function createSandbox({ firstOrderId = 100001, maxOrders = 10_000, now = () => new Date() }: SandboxOptions = {}): Sandbox {
  const orders = new Map<number, SandboxOrder>();
  let nextId = firstOrderId;
  let nextRequestId = 1;
  const app = new Hono();

  app.use(async (c, next) => {
    if (!c.req.header("X-DC-DEVKEY")) {
      return v2Error(c, 403, "access_denied|access_denied_invalid_key", "The API key is missing or invalid.");
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

    const order: SandboxOrder = {
      id: nextId++,
      requestId: nextRequestId++,
      product: product.data,
      body: body.data,
      status: "pending",
      dateCreated: now().toISOString().replace(/\.\d{3}Z$/, "+00:00"),
      owner: ownerOf(c.req.header("X-DC-DEVKEY") ?? ""),
    };
    orders.set(order.id, order);
    if (orders.size > maxOrders) orders.delete(orders.keys().next().value!);
    return c.json({ id: order.id, requests: [{ id: order.requestId, status: order.status }] }, 201);
  });

  app.get("/order/alternate/:alternativeOrderId", (c) => {
    const owner = ownerOf(c.req.header("X-DC-DEVKEY") ?? "");
    const id = c.req.param("alternativeOrderId");
    const matching = [...orders.values()].filter((o) => o.owner === owner && o.body.alternative_order_id === id);
    if (matching.length === 0) return v2Error(c, 404, "not_found", "No order carries this alternative_order_id.");
    return c.json({
      orders: matching.map((o) => ({ order_id: o.id, certificate_id: o.id, status: o.status })),
      page: { total: matching.length, limit: 1000, offset: 0 },
    });
  });

  app.notFound((c) => v2Error(c, 404, "not_found|route", "The endpoint does not exist."));

  return { app, orders: () => [...orders.values()] };
}
