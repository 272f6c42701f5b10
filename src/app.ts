import { Hono, type MiddlewareHandler } from "hono";
import { etag } from "hono/etag";
import { requestId } from "hono/request-id";
import type { Config } from "./config.js";
import type { Lifecycle } from "./lifecycle.js";
import type { Logger } from "./log.js";
import { requestLog } from "./request-log.js";
import type { ShimEnv } from "./shim-env.js";
import { passthroughAccount } from "./v1/auth.js";
import { limitBodySize, requireBodyFormat } from "./v1/body.js";
import { V1Error, v1Errors } from "./v1/errors.js";
import { negotiateFormat } from "./v1/formats.js";
import { answerOptions, honourMethodOverride, refuseOtherMethods, refuseOtherOverrides } from "./v1/methods.js";
import { orderCodeHandler } from "./v1/order-code.js";
import { openApiDocument } from "./v1/openapi.js";
import { orderDetailsHandler } from "./v1/order-details.js";
import { translateHandler } from "./v1/translate.js";
import { sendV1Error } from "./v1/respond.js";
import { SERVED, type ServedPath } from "./v1/surface.js";
import { newAlternativeOrderId } from "./v2/alternative-order-id.js";
import type { V2Client } from "./v2/client.js";

export interface AppDeps {
  config: Config;
  v2: V2Client;
  logger: Logger;
  lifecycle: Lifecycle;
  /** Who a request acts for: passthrough by default, the accounts file in accounts mode. */
  authenticate?: MiddlewareHandler<ShimEnv>;
  newAlternativeOrderId?: () => string;
}

// Legacy endpoints the shim does not serve: said plainly, so that an operator
// reading a client's log knows at once why.
const NOT_SERVED = ["/order/ssl", "/order/wfa", "/order/:order_id/certificate", "/enterprise/*", "/request/*"];

/** The legacy v1 surface, as a web-standard Hono app. */
export function createApp(deps: AppDeps): Hono<ShimEnv> {
  const { config, lifecycle, authenticate = passthroughAccount } = deps;
  const app = new Hono<ShimEnv>();

  // For the orchestrator, before anything v1: not logged, not negotiated.
  app.get("/healthz", (c) => c.json({ status: "alive" }));
  app.get("/readyz", (c) => (lifecycle.draining ? c.json({ status: "draining" }, 503) : c.json({ status: "ready" })));
  // For people and tools: not a legacy call, so no credentials, and no Accept can refuse it.
  const openApi = openApiDocument(config);
  app.get("/_shim/openapi.json", (c) => c.json(openApi));

  app.use(honourMethodOverride(app));
  app.use(requestId());
  app.use(requestLog(deps.logger));
  app.use(async (c, next) => {
    const format = negotiateFormat(c.req.header("Accept"), c.req.header("Content-Type"));
    if (!format) throw v1Errors.notAcceptable();
    c.set("format", format);
    await next();
  });
  app.use(lifecycle.track);
  app.use(refuseOtherOverrides);

  for (const path of NOT_SERVED) app.all(path, (c) => sendV1Error(c, v1Errors.notServed(c.req.path)));

  const handlers: Record<ServedPath, MiddlewareHandler<ShimEnv>[]> = {
    "/order/code": [
      authenticate,
      requireBodyFormat,
      limitBodySize(config.maxBodyBytes),
      orderCodeHandler({ config, v2: deps.v2, logger: deps.logger, newAlternativeOrderId: deps.newAlternativeOrderId ?? newAlternativeOrderId }),
    ],
    // HEAD is GET without the body, by Hono; etag gives both a strong ETag and 304s.
    "/order/:order_id": [etag(), authenticate, orderDetailsHandler({ config, v2: deps.v2 })],
    "/_shim/translate/order/code": [authenticate, requireBodyFormat, limitBodySize(config.maxBodyBytes), translateHandler({ config })],
  };
  for (const path of Object.keys(handlers) as ServedPath[]) {
    const methods: readonly string[] = SERVED[path];
    for (const method of methods.filter((m) => m !== "HEAD")) app.on(method, [path], ...handlers[path]);
    app.options(path, answerOptions(methods));
    app.all(path, refuseOtherMethods(methods));
  }

  app.notFound((c) => sendV1Error(c, v1Errors.notFound()));
  app.onError((error, c) => {
    if (error instanceof V1Error) return sendV1Error(c, error);
    deps.logger.error({ err: error, req_id: c.var.requestId }, "unexpected failure");
    return sendV1Error(c, v1Errors.internal());
  });
  return app;
}
