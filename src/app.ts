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
import type { Authenticator } from "./http/basic-auth.js";
import { bodySizeCheck } from "./http/body.js";
import type { RequestCapture } from "./http/capture-hook.js";
import type { ShimEnv } from "./http/env.js";
import { answerFailure } from "./http/failure.js";
import { legacyPipeline } from "./http/legacy-pipeline.js";
import type { Lifecycle } from "./http/lifecycle.js";
import { answerOptions, honourMethodOverride, refuseOtherMethods } from "./http/methods.js";
import { composed, middlewareOf, type Step } from "./http/pipeline.js";
import { sendV1Error } from "./http/respond.js";
import { legacyPathUnder } from "./http/served-paths.js";
import type { PlanInUse } from "./migration/plan-in-use.js";
import type { ClientUsage } from "./observability/client-usage.js";
import type { Logger } from "./observability/log.js";
import type { ShimMetrics } from "./observability/metrics.js";
import type { ReplicaHeartbeat } from "./observability/replica-heartbeat.js";
import { logRequest } from "./observability/request-log.js";
import type { Tracing } from "./observability/tracing.js";
import type { OrderDesk } from "./ordering/desk.js";
import { adminClientsHandler, adminOrdersHandler } from "./routes/admin.js";
import { openApiDocument } from "./routes/openapi.js";
import { orderCodeHandler } from "./routes/order-code.js";
import { orderDetailsHandler } from "./routes/order-details.js";
import { translateHandler } from "./routes/translate.js";
import type { StateStore } from "./state/store.js";
import type { V2Client } from "./v2/client.js";

/** What the apps are built from: the parts the composition root (build-shim.ts) made. */
export interface AppDeps {
  config: Config;
  v2: V2Client;
  logger: Logger;
  lifecycle: Lifecycle;
  /** Who a request acts for: passthrough, or the accounts file in accounts mode. */
  authenticate: Authenticator;
  metrics: ShimMetrics;
  /** With OTEL_EXPORTER_OTLP_ENDPOINT: each legacy request a span. */
  tracing: Pick<Tracing, "traceRequest"> | undefined;
  state: StateStore;
  usage: ClientUsage;
  desk: OrderDesk;
  migration: PlanInUse;
  heartbeat: ReplicaHeartbeat;
  /** With SHIM_CAPTURE_DIR: each legacy request recorded with its v2 calls and answer (src/capture/). */
  capture: RequestCapture | undefined;
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

/** The legacy v1 surface, as a web-standard Hono app, with the admin surface unless SHIM_ADMIN_PORT takes it apart. */
export function createApps(deps: AppDeps): ShimApps {
  const { config, lifecycle, metrics, state, usage, desk, migration, heartbeat } = deps;
  // RegExpRouter cannot take /order/{id}/certificate beside /order/ssl, so Hono would
  // fall back to its TrieRouter; PatternRouter matches these few routes in half the time.
  // Under a base path (SHIM_BASE_PATHS) the legacy surface is routed, logged and counted as at the root.
  const legacyPath = legacyPathUnder(config.basePaths);
  const app = new Hono<ShimEnv>({ router: new PatternRouter(), getPath: (request) => legacyPath(getPath(request)) });

  answerProbes(app, lifecycle);
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

  const onError = answerFailure(deps.logger);
  const steps = legacyPipeline({
    observers: [logRequest(deps.logger), metrics.observeRequest, usage.record],
    tracing: deps.tracing,
    capture: deps.capture,
    migration,
    lifecycle,
    authenticate: deps.authenticate,
    checkBodySize: bodySizeCheck({ json: config.maxBodyBytes, xml: Math.min(config.maxXmlBodyBytes, config.maxBodyBytes) }),
  });
  const asMiddleware = (list: readonly Step[]) => list.map(middlewareOf);

  // The order path, before the middleware below: its steps composed into one handler.
  app.post("/order/code", composed(steps.appWide, steps.order, orderCodeHandler({ config, desk, logger: deps.logger }), onError));

  // Every other legacy request: the override's re-dispatch, outermost, then the same steps as middleware.
  app.use(honourMethodOverride(app));
  app.use(...asMiddleware(steps.appWide));

  for (const path of NOT_SERVED) {
    // Every legacy endpoint answers OPTIONS, as the legacy docs say; here it takes nothing else.
    app.options(path, answerOptions([]));
    app.all(path, (c) => sendV1Error(c, v1Errors.notServed(c.req.path)));
  }

  const handlers: Record<Exclude<ServedPath, "/order/code">, MiddlewareHandler<ShimEnv>[]> = {
    // HEAD is GET without the body, by Hono; etag gives both a strong ETag and 304s.
    "/order/:order_id": [etag(), ...asMiddleware(steps.orderDetails), orderDetailsHandler({ config, v2: deps.v2 })],
    "/_shim/translate/order/code": [...asMiddleware(steps.translate), translateHandler({ config })],
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
