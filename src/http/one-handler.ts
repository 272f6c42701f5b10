import type { Context, Handler, MiddlewareHandler } from "hono";
import { routePath } from "hono/route";
import type { RequestObserver } from "../observability/request-log.js";
import type { TracedAnswer, Tracing } from "../observability/tracing.js";
import type { Authenticator } from "./basic-auth.js";
import { settleBodyFormat } from "./body.js";
import type { RequestCapture } from "./capture-hook.js";
import { addDeprecationHeaders } from "./deprecation.js";
import type { ShimEnv } from "./env.js";
import type { Lifecycle } from "./lifecycle.js";
import { refuseOverride } from "./methods.js";
import type { MigrationStep } from "./migration-gate.js";
import { settleFormat } from "./negotiate.js";
import { finishRecord, startRecord } from "./observe-requests.js";
import { assignRequestId } from "./request-id.js";
import { inRequestSpan } from "./trace-requests.js";

/** What the app's middleware does for a request that takes a body, as plain steps (each the one its middleware calls). */
export interface LegacyPostSteps {
  observers: readonly RequestObserver[];
  tracing: Pick<Tracing, "traceRequest"> | undefined;
  /** The deprecation signals for the request's answer: its account's, once known. */
  deprecation: (c: Context<ShimEnv>) => Readonly<Record<string, string>>;
  lifecycle: Lifecycle;
  authenticate: Authenticator;
  /** The migration plan's judgement, the last step before the handler: nothing reaches v2 for a call it refuses. */
  migration: MigrationStep;
  /** A 413 for a declared length over the limit, or the middleware that counts a body without one while reading it. */
  checkBodySize: (c: Context<ShimEnv>) => MiddlewareHandler<ShimEnv> | undefined;
  answerFailure: (error: Error, c: Context<ShimEnv>) => Response;
  /** With SHIM_CAPTURE_DIR: requests recorded with their v2 calls and answers. */
  capture?: RequestCapture | undefined;
}

type OrderHandler = (c: Context<ShimEnv>) => Promise<Response>;

/** An answer, and the route it is recorded under. */
interface Answered extends TracedAnswer {
  answer: Response;
}

/** The route Hono records for an answer the app-wide middleware gave, before the request reached its route's own. */
const APP_WIDE_ROUTE = "/*";

/**
 * One handler for a POST that takes a body (`POST /order/code`), doing what the
 * app's stacked middleware would, in its order, as plain calls: each layer cost
 * an async frame and Hono's dispatch per order, and with thousands of orders in
 * flight the suspended frames were a quarter of each order's memory. Outermost
 * first: the request id, the record (log line, metrics, clients view), the span
 * when tracing is on, the deprecation headers; then the answer's format, the
 * lifecycle, the override refusal; then the route's own: who asks, the body's
 * type and size, the migration plan's judgement, the handler. With capture on,
 * a captured request runs inside its capture, outside everything else. A refusal is
 * answered where it is thrown, as Hono's compose answers it, and the steps
 * around it go on as their middleware would. X-HTTP-Method-Override is never honoured here: the path takes POST
 * alone, so any other method it names is refused.
 */
export function legacyPostInOnePlace(steps: LegacyPostSteps): (handle: OrderHandler) => Handler<ShimEnv> {
  const { observers, tracing, deprecation, lifecycle, authenticate, migration, checkBodySize, answerFailure, capture } = steps;

  /** As compose does, only an Error is answered; anything else is thrown on, to Hono. */
  const failed = (error: unknown, c: Context<ShimEnv>): Response => {
    if (error instanceof Error) return answerFailure(error, c);
    throw error;
  };

  /** The plan's judgement, then the handler; awaited only when the judgement reads the body (a brownout's draw). */
  const judgedThenHandled = (c: Context<ShimEnv>, handle: OrderHandler): Promise<Response> => {
    const judging = migration(c);
    return judging ? judging.then(() => handle(c)) : handle(c);
  };

  /** hono's bodyLimit, a middleware, reads the body counting, then calls on; past the limit it throws the 413. */
  const counted = async (c: Context<ShimEnv>, whileReading: MiddlewareHandler<ShimEnv>, handle: OrderHandler): Promise<Response> => {
    let answer: Response | undefined;
    await whileReading(c, async () => {
      answer = await judgedThenHandled(c, handle);
    });
    return answer as Response;
  };

  /** Who asks, then the body's type, then its size while it is read (nothing is read for a stranger), then the plan's judgement. */
  const routeSteps = async (c: Context<ShimEnv>, handle: OrderHandler): Promise<Response> => {
    const checked = authenticate(c);
    const afterAnswer = checked instanceof Promise ? await checked : checked;
    let answer: Response;
    try {
      settleBodyFormat(c);
      const whileReading = checkBodySize(c);
      answer = whileReading ? await counted(c, whileReading, handle) : await judgedThenHandled(c, handle);
    } catch (error) {
      answer = failed(error, c);
    }
    if (afterAnswer) await afterAnswer();
    return answer;
  };

  const answered = async (c: Context<ShimEnv>, handle: OrderHandler): Promise<Answered> => {
    let id: string;
    try {
      settleFormat(c);
      id = lifecycle.enter(c);
    } catch (error) {
      return withHeaders(c, failed(error, c), APP_WIDE_ROUTE);
    }
    let route = APP_WIDE_ROUTE;
    let answer: Response;
    try {
      refuseOverride(c);
      route = routePath(c);
      answer = await routeSteps(c, handle);
    } catch (error) {
      answer = failed(error, c);
    } finally {
      lifecycle.leave(id);
    }
    return withHeaders(c, answer, route);
  };

  const withHeaders = (c: Context<ShimEnv>, answer: Response, route: string): Answered => {
    addDeprecationHeaders(deprecation(c), c.req.path, answer);
    return { answer, status: answer.status, route };
  };

  const traced = (c: Context<ShimEnv>, handle: OrderHandler): Promise<Answered> =>
    tracing ? inRequestSpan(tracing, c, () => answered(c, handle)) : answered(c, handle);

  return (handle) =>
    async function answerInOnePlace(c) {
      assignRequestId(c);
      startRecord(c);
      const captured = capture?.start(c);
      const { answer, status, route } = captured ? await captured.within(() => traced(c, handle)) : await traced(c, handle);
      finishRecord(c, observers, status, route);
      captured?.answered(c, answer);
      return answer;
    };
}
