import { Hono, type MiddlewareHandler } from "hono";
import { etag } from "hono/etag";
import { PatternRouter } from "hono/router/pattern-router";
import { getPath } from "hono/utils/url";
import type { Config } from "./config/config.js";
import { NOT_SERVED, SERVED, type ServedPath } from "./contract/surface.js";
import { v1Errors } from "./contract/v1-errors.js";
import { PAGE_CSP_SOURCES } from "./dashboard/page.js";
import { dashboardHandlers } from "./dashboard/routes.js";
import { adminSecurityHeaders } from "./http/admin-headers.js";
import { FailedAdminTokens, requireAdminToken } from "./http/admin-token.js";
import { type Authenticator, authenticating, passthroughAccount } from "./http/basic-auth.js";
import { bodySizeCheck, limitBodySize, requireBodyFormat } from "./http/body.js";
import type { RequestCapture } from "./http/capture-hook.js";
import { announceDeprecation, signalsFor } from "./http/deprecation.js";
import type { ShimEnv } from "./http/env.js";
import { answerFailure } from "./http/failure.js";
import type { Lifecycle } from "./http/lifecycle.js";
import { answerOptions, honourMethodOverride, refuseOtherMethods, refuseOtherOverrides } from "./http/methods.js";
import { bodyBasis, enforceMigration, judgingByPlan, pathBasis } from "./http/migration-gate.js";
import { negotiate } from "./http/negotiate.js";
import { observeRequests } from "./http/observe-requests.js";
import { legacyPostInOnePlace } from "./http/one-handler.js";
import { freshRequestId } from "./http/request-id.js";
import { sendV1Error } from "./http/respond.js";
import { legacyPathUnder } from "./http/served-paths.js";
import { traceRequests } from "./http/trace-requests.js";
import { planOfSettings } from "./migration/plan.js";
import { PlanInUse } from "./migration/plan-in-use.js";
import { ClientUsage } from "./observability/client-usage.js";
import type { Logger } from "./observability/log.js";
import { ShimMetrics } from "./observability/metrics.js";
import { ReplicaHeartbeat } from "./observability/replica-heartbeat.js";
import { logRequest } from "./observability/request-log.js";
import type { Tracing } from "./observability/tracing.js";
import { OrderDesk, REAL_WORLD } from "./ordering/desk.js";
import { adminClientsHandler, adminOrdersHandler } from "./routes/admin.js";
import { openApiDocument } from "./routes/openapi.js";
import { orderCodeHandler } from "./routes/order-code.js";
import { orderDetailsHandler } from "./routes/order-details.js";
import { translateHandler } from "./routes/translate.js";
import { MemoryStore } from "./state/memory.js";
import type { StateStore } from "./state/store.js";
import type { V2Client } from "./v2/client.js";
import type { KnownKeys } from "./v2/pacer.js";

export interface AppDeps {
  config: Config;
  v2: V2Client;
  logger: Logger;
  lifecycle: Lifecycle;
  /** Who a request acts for: passthrough by default, the accounts file in accounts mode. */
  authenticate?: Authenticator;
  /** Shared with the v2 client, which reports its calls to it. */
  metrics?: ShimMetrics;
  /** With OTEL_EXPORTER_OTLP_ENDPOINT: each legacy request a span. */
  tracing?: Pick<Tracing, "traceRequest"> | undefined;
  /** The state store; an in-process one when not given. */
  state?: StateStore;
  /** The clients view, when its flushing is the server's to run. */
  usage?: ClientUsage;
  /** Passthrough: the keys v2 has accepted, which make a caller's credentials accepted. */
  knownKeys?: KnownKeys;
  desk?: OrderDesk;
  /** The migration plan and its clock; by default SHIM_DEPRECATION_DATE, SHIM_SUNSET_DATE and SHIM_MIGRATION_URL as its default. */
  migration?: PlanInUse;
  /** This replica's beat in the store, when its timer is the server's to run. */
  heartbeat?: ReplicaHeartbeat;
  /** With SHIM_CAPTURE_DIR: each legacy request recorded with its v2 calls and answer (src/capture/). */
  capture?: RequestCapture | undefined;
}

/** The order desk on the state store and v2, what it could not write logged for reconciliation and counted. */
export function orderDeskFor(
  config: Config,
  state: StateStore,
  v2: V2Client,
  logger: Logger,
  metrics: ShimMetrics,
  identity: "account" | "key",
): OrderDesk {
  const { deadlineMs: _, ...policy } = config.retry;
  const options = {
    replicaId: config.state.replicaId,
    identity,
    windowMs: config.retryWindow.windowMs,
    required: config.state.required,
    policy,
    fingerprintKey: config.retryWindow.fingerprintKey,
  };
  return new OrderDesk(state, v2, logger, options, REAL_WORLD, {
    unprotected: metrics.orderUnprotected,
    ledgerWriteFailed: metrics.ledgerWriteFailed,
  });
}

/** What the admin endpoints read: the metrics, and with SHIM_ADMIN_TOKEN the clients view, the ledger and the dashboard. */
interface AdminParts {
  config: Config;
  metrics: ShimMetrics;
  state: StateStore;
  usage: ClientUsage;
  desk: OrderDesk;
  migration: PlanInUse;
  heartbeat: ReplicaHeartbeat;
}

/** For operators, before anything v1: not logged, not negotiated, not counted as legacy calls. */
function answerProbes(app: Hono<ShimEnv>, lifecycle: Lifecycle): void {
  app.get("/healthz", (c) => c.json({ status: "alive" }));
  app.get("/readyz", (c) => {
    const status = lifecycle.readiness;
    return c.json({ status }, status === "ready" ? 200 : 503);
  });
}

/**
 * The admin surface: `/metrics`, and with SHIM_ADMIN_TOKEN the clients view, the
 * ledger and the dashboard, each behind the same token check. On the legacy port,
 * or, with SHIM_ADMIN_PORT, on a listener of its own (createAdminApp).
 */
function answerAdmin(app: Hono<ShimEnv>, { config, metrics, state, usage, desk, migration, heartbeat }: AdminParts): void {
  app.get("/metrics", async (c) => c.body(await metrics.registry.metrics(), 200, { "Content-Type": metrics.registry.contentType }));
  if (!config.adminToken) return;
  // Every admin answer, its 401 included, carries the security headers.
  const hardened = adminSecurityHeaders(PAGE_CSP_SOURCES);
  const admin = requireAdminToken(config.adminToken, new FailedAdminTokens(state), config.trustProxyHops);
  const dashboard = dashboardHandlers({ config, store: state, usage, ledger: desk, migration, heartbeat });
  app.get("/_shim/clients", hardened, admin, adminClientsHandler(usage, migration));
  app.get("/_shim/orders", hardened, admin, adminOrdersHandler(state, desk));
  app.get("/_shim/dashboard", hardened, admin, dashboard.page);
  app.get("/_shim/dashboard.json", hardened, admin, dashboard.json);
}

/** The admin listener's app (SHIM_ADMIN_PORT): the admin surface and the probes, nothing of v1. */
export function createAdminApp(parts: AdminParts & { lifecycle: Lifecycle; logger: Logger }): Hono<ShimEnv> {
  const app = new Hono<ShimEnv>();
  answerProbes(app, parts.lifecycle);
  answerAdmin(app, parts);
  app.notFound((c) => {
    const error = v1Errors.notFound();
    return c.json({ errors: error.errors }, error.status);
  });
  app.onError(answerFailure(parts.logger));
  return app;
}

/** The shim's apps: the legacy surface, and with SHIM_ADMIN_PORT the admin surface apart. */
export interface ShimApps {
  legacy: Hono<ShimEnv>;
  admin: Hono<ShimEnv> | undefined;
}

/** The legacy v1 surface, as a web-standard Hono app (with the admin surface, unless SHIM_ADMIN_PORT takes it apart). */
export function createApp(deps: AppDeps): Hono<ShimEnv> {
  return createApps(deps).legacy;
}

export function createApps(deps: AppDeps): ShimApps {
  const { config, lifecycle, metrics = new ShimMetrics(), state = new MemoryStore() } = deps;
  const authenticate = deps.authenticate ?? passthroughAccount(deps.knownKeys);
  const usage = deps.usage ?? new ClientUsage(state, { retentionMs: config.state.clientsRetentionMs });
  const desk = deps.desk ?? orderDeskFor(config, state, deps.v2, deps.logger, metrics, "key");
  const migration = deps.migration ?? new PlanInUse(planOfSettings(config));
  // RegExpRouter cannot take /order/{id}/certificate beside /order/ssl, so Hono would
  // fall back to its TrieRouter; PatternRouter matches these few routes in half the time.
  // Under a base path (SHIM_BASE_PATHS) the legacy surface is routed, logged and counted as at the root.
  const legacyPath = legacyPathUnder(config.basePaths);
  const app = new Hono<ShimEnv>({ router: new PatternRouter(), getPath: (request) => legacyPath(getPath(request)) });

  answerProbes(app, lifecycle);
  const heartbeat = deps.heartbeat ?? new ReplicaHeartbeat(state, { replicaId: config.state.replicaId });
  const adminParts = { config, metrics, state, usage, desk, migration, heartbeat };
  const admin = config.admin.port === undefined ? undefined : createAdminApp({ ...adminParts, lifecycle, logger: deps.logger });
  if (!admin) answerAdmin(app, adminParts);
  // For people and tools: not a legacy call, so no credentials, and no Accept can refuse it.
  // Built when first asked for: it is not needed to serve, and would cost the start 10 ms.
  let openApi: ReturnType<typeof openApiDocument> | undefined;
  app.get("/_shim/openapi.json", (c) => {
    openApi ??= openApiDocument(config);
    return c.json(openApi);
  });

  const observers = [logRequest(deps.logger), metrics.observeRequest, usage.record];
  const onError = answerFailure(deps.logger);
  const checkBodySize = bodySizeCheck({ json: config.maxBodyBytes, xml: Math.min(config.maxXmlBodyBytes, config.maxBodyBytes) });

  // The order path, before the middleware below: one handler doing the same steps, in the same
  // order, as plain calls (http/one-handler.ts), which costs each order less CPU and memory.
  const inOnePlace = legacyPostInOnePlace({
    observers,
    tracing: deps.tracing,
    deprecation: signalsFor(migration),
    lifecycle,
    authenticate,
    migration: enforceMigration(migration, bodyBasis),
    checkBodySize,
    answerFailure: onError,
    capture: deps.capture,
  });
  app.post("/order/code", inOnePlace(orderCodeHandler({ config, desk, logger: deps.logger })));

  // Every other legacy request, outermost first: the override's re-dispatch, the request id, the
  // record (log line, metrics, clients view), the span, the deprecation headers, the answer's
  // format, the lifecycle, the refusal of other overrides; then each route's own steps.
  app.use(honourMethodOverride(app));
  app.use(freshRequestId);
  app.use(observeRequests(observers, deps.capture));
  if (deps.tracing) app.use(traceRequests(deps.tracing));
  app.use(announceDeprecation(migration));
  app.use(negotiate);
  app.use(lifecycle.track);
  app.use(refuseOtherOverrides);

  for (const path of NOT_SERVED) {
    // Every legacy endpoint answers OPTIONS, as the legacy docs say; here it takes nothing else.
    app.options(path, answerOptions([]));
    app.all(path, (c) => sendV1Error(c, v1Errors.notServed(c.req.path)));
  }

  // Who asks, then the body's type, then its size while it is read: nothing is read for a stranger.
  // Then, for a legacy call, the migration plan's judgement; the translation is no call of the account's.
  const asks = authenticating(authenticate);
  const takesAnOrder = [asks, requireBodyFormat, limitBodySize(checkBodySize)];
  const handlers: Record<Exclude<ServedPath, "/order/code">, MiddlewareHandler<ShimEnv>[]> = {
    // HEAD is GET without the body, by Hono; etag gives both a strong ETag and 304s.
    "/order/:order_id": [etag(), asks, judgingByPlan(enforceMigration(migration, pathBasis)), orderDetailsHandler({ config, v2: deps.v2 })],
    "/_shim/translate/order/code": [...takesAnOrder, translateHandler({ config })],
  };
  for (const path of Object.keys(SERVED) as ServedPath[]) {
    const methods: readonly string[] = SERVED[path];
    if (path !== "/order/code") for (const method of methods.filter((m) => m !== "HEAD")) app.on(method, [path], ...handlers[path]);
    app.options(path, answerOptions(methods));
    app.all(path, refuseOtherMethods(methods));
  }

  app.notFound((c) => sendV1Error(c, v1Errors.notFound()));
  app.onError(onError);
  return { legacy: app, admin };
}
