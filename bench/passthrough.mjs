// The ceiling of this stack: Hono on @hono/node-server forwarding each order to v2
// on an undici Pool (keep-alive), as the shim does, but with nothing in between:
// no auth, no parsing, no validation, no translation, no log.
// Run as its own process: UPSTREAM_ORDER_URL=http://127.0.0.1:N/… PORT=0 node bench/passthrough.mjs
//
// With PASSTHROUGH_LOG=pino it also writes the shim's log line for each request:
// the shim's own logger (dist/observability/log.js, so dist/ must be built), the
// same keys in the same order, filled with what a proxy has at hand. Beside the
// bare run, it shows what the line costs any proxy.
import { randomUUID } from "node:crypto";
import { serve } from "@hono/node-server";
import { Hono } from "hono";
import { Pool } from "undici";

const upstream = new URL(process.env.UPSTREAM_ORDER_URL ?? "");
const pool = new Pool(upstream.origin);

/**
 * @typedef {{ info(record: object, message: string): void }} Logger
 * @typedef {{ flushWithin(ms: number): Promise<void> }} Destination
 * @typedef {{ createLogger(level: string, destination: Destination): Logger, stdoutDestination(): Destination }} LogModule
 */

/** The shim's logger, wired as src/main.ts wires it, or null for the bare pass-through. */
async function shimLogger() {
  if (process.env.PASSTHROUGH_LOG !== "pino") return null;
  /** @type {LogModule} */
  const { createLogger, stdoutDestination } = await import(new URL("../dist/observability/log.js", import.meta.url).href);
  const destination = stdoutDestination();
  return { logger: createLogger("info", destination), destination };
}
const log = await shimLogger();

/** The account id of `Basic base64(account_id:api_key)`, as the shim logs it. @param {string | undefined} header */
function accountId(header) {
  if (!header?.startsWith("Basic ")) return undefined;
  const credentials = Buffer.from(header.slice(6), "base64").toString("utf8");
  return credentials.slice(0, Math.max(0, credentials.indexOf(":")));
}

/** @param {string} text v2's answer @returns {unknown} */
function orderId(text) {
  try {
    return JSON.parse(text).id;
  } catch {
    return undefined;
  }
}

/** @type {Hono<{ Bindings: { incoming: import("node:http").IncomingMessage } }>} */
const app = new Hono();
app.post("/order/code", async (c) => {
  const started = performance.now();
  const body = await c.req.text();
  const sent = performance.now();
  const response = await pool.request({
    method: "POST",
    path: upstream.pathname,
    headers: { "content-type": "application/json" },
    body,
  });
  const text = await response.body.text();
  const contentType = response.headers["content-type"];
  if (log) {
    // Node's own headers, not the web Headers: what the line itself costs, not how headers are read.
    const { headers } = c.env.incoming;
    const v2LatencyMs = Math.round(performance.now() - sent);
    log.logger.info(
      {
        req_id: randomUUID(),
        method: c.req.method,
        path: c.req.path,
        route: "/order/code",
        status: response.statusCode,
        format: headers["content-type"]?.includes("xml") ? "xml" : "json",
        user_agent: headers["user-agent"],
        duration_ms: Math.round((performance.now() - started) * 10) / 10,
        account_id: accountId(headers.authorization),
        // The shim's kind of id, though nothing sends it: the line must be as long as the shim's.
        alternative_order_id: `v1shim${randomUUID().replaceAll("-", "")}`,
        v2_latency_ms: v2LatencyMs,
        v2_sends: 1,
        v2_lookups: 0,
        v2_status: response.statusCode,
        v2_order_id: orderId(text),
        credentials_accepted: true,
      },
      "request",
    );
  }
  return c.body(text, /** @type {201} */ (response.statusCode), {
    "content-type": typeof contentType === "string" ? contentType : "application/json",
  });
});

const server = serve({ fetch: app.fetch, port: Number(process.env.PORT ?? 0), hostname: "127.0.0.1" }, (info) => {
  // The same line shape as the shim's, so that one reader finds both ports.
  process.stdout.write(`${JSON.stringify({ port: info.port, msg: "listening" })}\n`);
});

process.once("SIGTERM", () => {
  server.close(
    () =>
      void pool
        .close()
        .then(() => log?.destination.flushWithin(1_000))
        .then(() => process.exit(0)),
  );
  if ("closeAllConnections" in server) server.closeAllConnections();
});
