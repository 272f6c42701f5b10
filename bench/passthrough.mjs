// The ceiling of this stack: Hono on @hono/node-server forwarding each order to v2
// on an undici Pool (keep-alive), as the shim does, but with nothing in between:
// no auth, no parsing, no validation, no translation, no log.
// Run as its own process: UPSTREAM_ORDER_URL=http://127.0.0.1:N/… PORT=0 node bench/passthrough.mjs
import { serve } from "@hono/node-server";
import { Hono } from "hono";
import { Pool } from "undici";

const upstream = new URL(process.env.UPSTREAM_ORDER_URL ?? "");
const pool = new Pool(upstream.origin);

const app = new Hono();
app.post("/order/code", async (c) => {
  const response = await pool.request({
    method: "POST",
    path: upstream.pathname,
    headers: { "content-type": "application/json" },
    body: await c.req.text(),
  });
  const contentType = response.headers["content-type"];
  return c.body(await response.body.text(), /** @type {201} */ (response.statusCode), {
    "content-type": typeof contentType === "string" ? contentType : "application/json",
  });
});

const server = serve({ fetch: app.fetch, port: Number(process.env.PORT ?? 0), hostname: "127.0.0.1" }, (info) => {
  // The same line shape as the shim's, so that one reader finds both ports.
  process.stdout.write(`${JSON.stringify({ port: info.port, msg: "listening" })}\n`);
});

process.once("SIGTERM", () => {
  server.close(() => void pool.close().then(() => process.exit(0)));
  if ("closeAllConnections" in server) server.closeAllConnections();
});
