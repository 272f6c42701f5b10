import { createServer, type Server as HttpServer } from "node:http";
import { createServer as createHttpsServer, type Server as HttpsServer } from "node:https";
import { type AddressInfo, Server } from "node:net";
import { setTimeout as delay } from "node:timers/promises";
import { getRequestListener } from "@hono/node-server";
import { authenticateAccount } from "./accounts/authenticate.js";
import { FailedLogins } from "./accounts/failed-logins.js";
import type { AccountRegistry } from "./accounts/registry.js";
import { createApps, orderDeskFor } from "./app.js";
import type { Config } from "./config/config.js";
import { readTlsMaterial, secureContextOptions } from "./config/tls.js";
import { answerClientError } from "./http/client-errors.js";
import { answerConnect, answerExpectation, refuseUnreadableTargets } from "./http/edge-refusals.js";
import { Lifecycle } from "./http/lifecycle.js";
import { migrationPlanFor } from "./migration/plan-file.js";
import { PlanInUse } from "./migration/plan-in-use.js";
import { ClientUsage } from "./observability/client-usage.js";
import type { Logger } from "./observability/log.js";
import { ShimMetrics } from "./observability/metrics.js";
import { ReplicaHeartbeat } from "./observability/replica-heartbeat.js";
import type { Tracing } from "./observability/tracing.js";
import { Reconciler } from "./ordering/reconciler.js";
import { describeState, openState, sweepEvery } from "./state/open.js";
import type { ResilientStore } from "./state/resilient.js";
import { type V2CallObserver, V2Client } from "./v2/client.js";
import { KnownKeys, Pacer } from "./v2/pacer.js";
import { createSandbox, type Sandbox } from "./v2/sandbox.js";
import { httpTransport, inProcessTransport } from "./v2/transport.js";

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

export interface ServerOptions {
  /** Accounts mode: the legacy accounts, checked on every request. */
  accounts?: AccountRegistry;
  /** The migration plan, to replace on SIGHUP; by default the one the settings give (src/migration/plan-file.ts). */
  migration?: PlanInUse;
}

/** How often the state store forgets what is past its retention and marks abandoned placements unknown. */
const SWEEP_EVERY_MS = 60_000;

/** The store SHIM_STATE names, its failures and recoveries logged. */
function openStateFor(config: Config, logger: Logger): Promise<ResilientStore> {
  const where = describeState(config.state.spec);
  const meaning = config.state.required
    ? "orders are refused (503 state_unavailable) until it is back"
    : "pacing and failed logins are done by this process alone, and the ledger and the clients view are not written, until it is back";
  return openState(config.state.spec, {
    required: config.state.required,
    ledgerRetentionMs: config.state.ledgerRetentionMs,
    onDown: (error, operation) =>
      logger.error(
        { state: where, operation, error: (error instanceof Error ? error.message : String(error)).slice(0, 200) },
        `the state store cannot be reached: ${meaning}`,
      ),
    onUp: () => logger.info({ state: where }, "the state store answers again: state is shared again"),
  });
}

/** The shim wired to v2 (or to its sandbox) and listening; resolves once it accepts connections. */
export async function startServer(config: Config, logger: Logger, options: ServerOptions = {}): Promise<RunningServer> {
  const upstream = config.digicertApiUrl ? httpTransport(config.digicertApiUrl, config.retry.timeoutMs) : undefined;
  const sandbox = upstream ? undefined : createSandbox({ issueAfterMs: config.sandboxIssueAfterMs, maxYears: config.sandboxMaxYears });
  const metrics = new ShimMetrics();
  // Imported only when asked for, so that a shim without tracing loads none of OpenTelemetry.
  const tracing: Tracing | undefined = config.otlpEndpoint
    ? await (await import("./observability/tracing.js")).startTracing(process.env)
    : undefined;
  const observeV2: V2CallObserver = tracing
    ? (call, reply, seconds, subject) => {
        metrics.observeV2Call(call, reply, seconds);
        tracing.observeV2Call(call, reply, seconds, subject);
      }
    : metrics.observeV2Call;
  const state = await openStateFor(config, logger);
  metrics.watchState(state);
  const stopSweeping = sweepEvery(state, SWEEP_EVERY_MS, () => ({
    now: Date.now(),
    ledgerRetentionMs: config.state.ledgerRetentionMs,
    clientsRetentionMs: config.state.clientsRetentionMs,
  }));
  // Accounts mode's keys are the operator's: each has its own pacing. In passthrough only keys v2 has accepted do.
  const knownKeys = options.accounts ? undefined : new KnownKeys(state, config.state.clientsRetentionMs);
  const pacer = new Pacer(config.v2RateLimits, state, knownKeys && { newKeys: { windows: config.v2NewKeyRateLimits, known: knownKeys } });
  // Imported only when asked for: with capture off, no request pays anything for it.
  const capture = config.capture
    ? (await import("./capture/recorder.js")).startCapture({
        config,
        mode: options.accounts ? "accounts" : "passthrough",
        logger,
        count: metrics.captureRecords,
      })
    : undefined;
  const send = upstream?.send ?? inProcessTransport(sandbox!.app);
  const v2 = new V2Client(capture ? capture.transport(send) : send, pacer, observeV2);
  // Not ready while a required store is down: every order would be refused until it is back.
  const lifecycle = new Lifecycle(() => config.state.required && !state.up);
  metrics.watchInFlight(() => lifecycle.inFlight);
  const authenticate =
    options.accounts &&
    authenticateAccount({
      registry: options.accounts,
      failedLogins: new FailedLogins(state),
      logger,
      trustProxyHops: config.trustProxyHops,
    });
  const usage = new ClientUsage(state, { retentionMs: config.state.clientsRetentionMs });
  usage.start();
  const heartbeat = new ReplicaHeartbeat(state, { replicaId: config.state.replicaId });
  heartbeat.start();
  const desk = orderDeskFor(config, state, v2, logger, metrics, options.accounts ? "account" : "key");
  state.whenBack(() => desk.storeIsBack());
  // Accounts mode knows each account's v2 key, so it can look up the ledger's unknown orders by itself.
  const accounts = options.accounts;
  const reconciler =
    accounts && config.reconcile.intervalMs > 0
      ? new Reconciler(state, v2, (accountId) => accounts.v2KeyOf(accountId), logger, {
          intervalMs: config.reconcile.intervalMs,
          forMs: config.reconcile.forMs,
          replicaId: config.state.replicaId,
          limits: { timeoutMs: config.retry.timeoutMs, maxPaceWaitMs: config.retry.paceMaxWaitMs },
        })
      : undefined;
  reconciler?.start();
  const migration = options.migration ?? new PlanInUse(migrationPlanFor(config));
  const { legacy: app, admin } = createApps({
    config,
    logger,
    v2,
    lifecycle,
    authenticate,
    metrics,
    state,
    usage,
    knownKeys,
    desk,
    tracing,
    migration,
    heartbeat,
    capture,
  });

  // Requests refused below the app have no account: the plan's default, as it is after any reload.
  const deprecation = () => migration.plan.default.headers;
  // Slow clients: the headers, then the whole request, must arrive in time; the
  // timeouts are checked every second rather than Node's default 30. A missing
  // Host is answered as a v1 error (refuseUnreadableTargets), not Node's bare 400.
  const httpOptions = {
    headersTimeout: config.headersTimeoutMs,
    requestTimeout: config.requestTimeoutMs,
    connectionsCheckingInterval: 1_000,
    requireHostHeader: false,
  };
  const listener = refuseUnreadableTargets(getRequestListener(app.fetch, { hostname: config.host }), logger, deprecation);
  const { tls } = config;
  let tlsNotAfterMs = tls?.material.notAfterMs ?? 0;
  if (tls) metrics.watchTlsCertificate(() => tlsNotAfterMs);
  const server: HttpServer | HttpsServer = tls
    ? createHttpsServer(
        {
          ...httpOptions,
          ...secureContextOptions(tls.material),
          // HTTP/1.1 only, as legacy clients speak it; a client CA asks for, and requires, a client certificate.
          ALPNProtocols: ["http/1.1"],
          requestCert: tls.material.ca !== undefined,
          rejectUnauthorized: tls.material.ca !== undefined,
        },
        listener,
      )
    : createServer(httpOptions, listener);
  await listening(server, config.port, config.host);
  // The admin surface on a listener of its own, plain HTTP: reached from inside (a scraper, an operator), not by clients.
  const adminServer = admin && createServer(httpOptions, getRequestListener(admin.fetch));
  if (adminServer)
    await listening(adminServer, config.admin.port ?? 0, config.admin.host).catch(async (error: unknown) => {
      await new Promise((resolve) => server.close(resolve));
      throw error;
    });
  server.on("clientError", (error, socket) => answerClientError(error, socket, logger, deprecation, app.fetch));
  server.on("checkExpectation", answerExpectation(logger, deprecation));
  server.on("connect", answerConnect(logger, deprecation));

  return {
    server,
    port: (server.address() as AddressInfo).port,
    adminPort: adminServer && (adminServer.address() as AddressInfo).port,
    sandbox,
    lifecycle,
    drain: async (timeoutMs) => {
      lifecycle.startDraining();
      // net's close, not http's: http's also stops the check of the headers' and
      // requests' timeouts (so a stalled upload held the drain), and closes idle
      // kept-alive connections at once, where the README promises a request
      // arriving on one 503 shutting_down while others finish.
      const closed = new Promise<void>((resolve) => Server.prototype.close.call(server, () => resolve()));
      const clean = await lifecycle.whenIdle(timeoutMs);
      if (!clean) reconcileAbandoned(lifecycle, logger);
      // Answers in flight have been handed to their sockets; idle keep-alive connections go now.
      server.closeIdleConnections();
      await within(1_000, closed, () => server.closeAllConnections());
      // Scrapes and the dashboard were answered while it drained; now they end too.
      if (adminServer) await within(1_000, new Promise((resolve) => adminServer.close(resolve)), () => adminServer.closeAllConnections());
      // The pool waits for its calls in flight; an order abandoned above may still have one.
      if (upstream) await within(1_000, upstream.close(), () => void upstream.destroy());
      await tracing?.shutdown();
      stopSweeping();
      await reconciler?.stop();
      await desk.flush();
      await capture?.close();
      await usage.stop();
      heartbeat.stop();
      await state.close();
      return clean;
    },
    reloadTls: () => {
      if (!tls) return;
      const read = readTlsMaterial(tls.files);
      if ("problems" in read) {
        logger.error(
          { problems: read.problems.map((p) => `${p.variable} ${p.message}`) },
          "TLS files refused; the certificate in use stays",
        );
        return;
      }
      (server as HttpsServer).setSecureContext(secureContextOptions(read.material));
      tlsNotAfterMs = read.material.notAfterMs;
      logger.info({ tls_fingerprint: read.material.fingerprint, tls_valid_to: read.material.validTo }, "TLS certificate reloaded");
    },
  };
}
