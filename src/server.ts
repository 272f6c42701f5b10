import { createServer, type Server as HttpServer } from "node:http";
import { createServer as createHttpsServer, type Server as HttpsServer } from "node:https";
import { type AddressInfo, Server } from "node:net";
import { setTimeout as delay } from "node:timers/promises";
import { getRequestListener } from "@hono/node-server";
import { buildShim, type Shim, type ShimOptions } from "./build-shim.js";
import type { Config } from "./config/config.js";
import { readTlsMaterial, secureContextOptions } from "./config/tls.js";
import { answerClientError } from "./http/client-errors.js";
import { answerConnect, answerExpectation, refuseUnreadableTargets } from "./http/edge-refusals.js";
import type { Lifecycle } from "./http/lifecycle.js";
import type { Logger } from "./observability/log.js";
import type { Sandbox } from "./v2/sandbox.js";

export interface RunningServer {
  server: HttpServer;
  port: number;
  /** With SHIM_ADMIN_PORT: the port the admin listener took. */
  adminPort: number | undefined;
  /** Present when no DIGICERT_API_URL is configured and the built-in sandbox stands in for v2. */
  sandbox: Sandbox | undefined;
  lifecycle: Lifecycle;
  /**
   * Stops taking connections and requests, lets those in flight finish (each
   * within its deadline), then closes. False when `timeoutMs` cut it short.
   */
  drain(timeoutMs: number): Promise<boolean>;
  /**
   * With TLS: reads the certificate, key and CA files again and serves new
   * handshakes with them; connections already open keep theirs. A bad set is
   * refused and logged, and the one in use stays.
   */
  reloadTls(): void;
}

/** Waits for `done`, or `timeoutMs`, then calls `cutShort` and waits as long again at most for what it ends. */
async function within(timeoutMs: number, done: Promise<unknown>, cutShort: () => unknown): Promise<void> {
  const late = Symbol("late");
  const outcome = await Promise.race([done, delay(timeoutMs, late, { ref: false })]);
  if (outcome !== late) return;
  cutShort();
  await Promise.race([done, delay(timeoutMs, late, { ref: false })]);
}

/** Resolves once `server` listens on `port` and `host`; rejects when it cannot (the port taken, the address not this host's). */
function listening(server: HttpServer | HttpsServer, port: number, host: string | undefined): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve());
  });
}

/** The process is to stop before these orders end: each gets the line an operator reconciles by. */
export function reconcileAbandoned(lifecycle: Lifecycle, logger: Logger): void {
  for (const trace of lifecycle.ordersInFlight()) {
    logger.error(trace, "shutting down with this order in flight: v2 may hold an order with this alternative_order_id; reconcile");
  }
}

/** The shim built (build-shim.ts), listening; resolves once it accepts connections. */
export async function startServer(config: Config, logger: Logger, options: ShimOptions = {}): Promise<RunningServer> {
  const shim = await buildShim(config, logger, options);
  const { legacy: app, admin } = shim.apps;
  // Requests refused below the app have no account: the plan's default, as it is after any reload.
  const deprecation = () => shim.migration.plan.default.headers;
  const listener = refuseUnreadableTargets(getRequestListener(app.fetch, { hostname: config.host }), logger, deprecation);
  const tls = tlsServing(config, shim.metrics, logger);
  const server = tls ? createHttpsServer(tls.options(httpOptions(config)), listener) : createServer(httpOptions(config), listener);
  // The admin surface on a listener of its own, plain HTTP: reached from inside (a scraper, an operator), not by clients.
  const adminServer = admin && createServer(httpOptions(config), getRequestListener(admin.fetch));
  try {
    await listening(server, config.port, config.host);
    if (adminServer) await listening(adminServer, config.admin.port ?? 0, config.admin.host);
  } catch (error) {
    if (server.listening) await new Promise((resolve) => server.close(resolve));
    await shim.stop();
    throw error;
  }
  server.on("clientError", (error, socket) => answerClientError(error, socket, logger, deprecation, app.fetch));
  server.on("checkExpectation", answerExpectation(logger, deprecation));
  server.on("connect", answerConnect(logger, deprecation));
  return {
    server,
    port: (server.address() as AddressInfo).port,
    adminPort: adminServer && (adminServer.address() as AddressInfo).port,
    sandbox: shim.sandbox,
    lifecycle: shim.lifecycle,
    drain: (timeoutMs) => drain({ server, adminServer, shim, logger }, timeoutMs),
    reloadTls: () => tls?.reload(server as HttpsServer),
  };
}

/**
 * Slow clients: the headers, then the whole request, must arrive in time; the
 * timeouts are checked every second rather than Node's default 30. A missing
 * Host is answered as a v1 error (refuseUnreadableTargets), not Node's bare 400.
 */
const httpOptions = (config: Config) => ({
  headersTimeout: config.headersTimeoutMs,
  requestTimeout: config.requestTimeoutMs,
  connectionsCheckingInterval: 1_000,
  requireHostHeader: false,
});

/** With TLS: the server's options, its certificate's expiry in the metrics, and SIGHUP's reload of its files. */
function tlsServing(config: Config, metrics: Shim["metrics"], logger: Logger) {
  const { tls } = config;
  if (!tls) return undefined;
  let notAfterMs = tls.material.notAfterMs;
  metrics.watchTlsCertificate(() => notAfterMs);
  return {
    options: (http: ReturnType<typeof httpOptions>) => ({
      ...http,
      ...secureContextOptions(tls.material),
      // HTTP/1.1 only, as legacy clients speak it; a client CA asks for, and requires, a client certificate.
      ALPNProtocols: ["http/1.1"],
      requestCert: tls.material.ca !== undefined,
      rejectUnauthorized: tls.material.ca !== undefined,
    }),
    reload: (server: HttpsServer) => {
      const read = readTlsMaterial(tls.files);
      if ("problems" in read) {
        logger.error(
          { problems: read.problems.map((p) => `${p.variable} ${p.message}`) },
          "TLS files refused; the certificate in use stays",
        );
        return;
      }
      server.setSecureContext(secureContextOptions(read.material));
      notAfterMs = read.material.notAfterMs;
      logger.info({ tls_fingerprint: read.material.fingerprint, tls_valid_to: read.material.validTo }, "TLS certificate reloaded");
    },
  };
}

interface Draining {
  server: HttpServer | HttpsServer;
  adminServer: HttpServer | undefined;
  shim: Shim;
  logger: Logger;
}

/** New requests 503, those in flight run to their answer (or are reconciled), the listeners close, then every part of the shim stops. */
async function drain({ server, adminServer, shim, logger }: Draining, timeoutMs: number): Promise<boolean> {
  shim.lifecycle.startDraining();
  // net's close, not http's: http's also stops the check of the headers' and
  // requests' timeouts (so a stalled upload held the drain), and closes idle
  // kept-alive connections at once, where docs/operations.md (Shutdown) promises a request
  // arriving on one 503 shutting_down while others finish.
  const closed = new Promise<void>((resolve) => Server.prototype.close.call(server, () => resolve()));
  const clean = await shim.lifecycle.whenIdle(timeoutMs);
  if (!clean) reconcileAbandoned(shim.lifecycle, logger);
  // Answers in flight have been handed to their sockets; idle keep-alive connections go now.
  server.closeIdleConnections();
  await within(1_000, closed, () => server.closeAllConnections());
  // Scrapes and the dashboard were answered while it drained; now they end too.
  if (adminServer) await within(1_000, new Promise((resolve) => adminServer.close(resolve)), () => adminServer.closeAllConnections());
  await shim.stop();
  return clean;
}
