import type { Context, MiddlewareHandler } from "hono";
import type { PlanInUse } from "../migration/plan-in-use.js";
import type { RequestObserver } from "../observability/request-log.js";
import type { Tracing } from "../observability/tracing.js";
import type { Authenticator } from "./basic-auth.js";
import { settleBodyFormat } from "./body.js";
import type { RequestCapture } from "./capture-hook.js";
import { addDeprecationHeaders, signalsFor } from "./deprecation.js";
import type { ShimEnv } from "./env.js";
import type { Lifecycle } from "./lifecycle.js";
import { refuseOverride } from "./methods.js";
import { bodyBasis, enforceMigration, pathBasis } from "./migration-gate.js";
import { settleFormat } from "./negotiate.js";
import { finishRecord, startRecord } from "./observe-requests.js";
import type { Answered, Step } from "./pipeline.js";
import { assignRequestId } from "./request-id.js";
import { inRequestSpan } from "./trace-requests.js";

export interface LegacyPipelineParts {
  observers: readonly RequestObserver[];
  tracing: Pick<Tracing, "traceRequest"> | undefined;
  /** With SHIM_CAPTURE_DIR: requests recorded with their v2 calls and answers. */
  capture: RequestCapture | undefined;
  migration: PlanInUse;
  lifecycle: Lifecycle;
  authenticate: Authenticator;
  /** A 413 for a declared length over the limit, or the middleware that counts a body without one while reading it. */
  checkBodySize: (c: Context<ShimEnv>) => MiddlewareHandler<ShimEnv> | undefined;
}

/** The legacy surface's steps: those every request takes, and each route's own. */
export interface LegacyPipeline {
  appWide: readonly Step[];
  /** `POST /order/code`. */
  order: readonly Step[];
  /** `GET /order/{id}`. */
  orderDetails: readonly Step[];
  /** `POST /_shim/translate/order/code`: the order's steps but the plan's, since a translation is no call of the account's. */
  translate: readonly Step[];
}

/** hono's bodyLimit, a middleware, reads the body counting, then calls on; past the limit it throws the 413. */
function sizeChecked(check: LegacyPipelineParts["checkBodySize"]): Step["around"] {
  return async (c, rest) => {
    const whileReading = check(c);
    if (!whileReading) return rest();
    let answered: Answered | undefined;
    await whileReading(c, async () => {
      answered = await rest();
    });
    return answered!;
  };
}

/**
 * The legacy request pipeline, declared once; app.ts builds the middleware and
 * the order path's composed handler from it (http/pipeline.ts). Outermost
 * first: the request id, the record (log line, metrics, clients view), the
 * capture and the span when they are on, the deprecation headers, the answer's
 * format (settled before anything can fail, so every refusal is rendered in
 * it), the lifecycle, the refusal of overrides the path does not take. Then a
 * route's own: who asks, the body's type, then its size while it is read
 * (nothing is read for a stranger), then the migration plan's judgement, the
 * last before the handler, so that nothing reaches v2 for a call it refuses.
 */
export function legacyPipeline(parts: LegacyPipelineParts): LegacyPipeline {
  const { observers, tracing, capture, migration, lifecycle, authenticate, checkBodySize } = parts;
  const signals = signalsFor(migration);
  const appWide: Step[] = [
    { name: "requestId", enter: assignRequestId },
    { name: "record", enter: startRecord, answered: (c, { status, route }) => finishRecord(c, observers, status, route) },
  ];
  if (capture) appWide.push({ name: "capture", around: captureAround(capture) });
  if (tracing) appWide.push({ name: "trace", around: (c, rest) => inRequestSpan(tracing, c, rest) });
  appWide.push(
    { name: "deprecation", answered: (c, { answer }) => addDeprecationHeaders(signals(c), c.req.path, answer) },
    { name: "format", enter: settleFormat },
    {
      name: "lifecycle",
      enter: (c) => {
        const id = lifecycle.enter(c);
        return () => lifecycle.leave(id);
      },
    },
    { name: "override", enter: refuseOverride },
  );
  const auth: Step = { name: "auth", enter: authenticate };
  const takesABody: Step[] = [
    auth,
    { name: "bodyFormat", enter: settleBodyFormat },
    { name: "bodySize", around: sizeChecked(checkBodySize) },
  ];
  return {
    appWide,
    order: [...takesABody, { name: "migration", enter: enforceMigration(migration, bodyBasis) }],
    orderDetails: [auth, { name: "migration", enter: enforceMigration(migration, pathBasis) }],
    translate: takesABody,
  };
}

/** A captured request runs inside its capture, so that its v2 calls are recorded as its own; its record is made once it is answered. */
function captureAround(capture: RequestCapture): Step["around"] {
  return async (c, rest) => {
    const captured = capture.start(c);
    if (!captured) return rest();
    const answered = await captured.within(rest);
    captured.answered(c, answered.answer);
    return answered;
  };
}
