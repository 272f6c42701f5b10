import type { Context, Handler, MiddlewareHandler } from "hono";
import { routePath } from "hono/route";
import type { ShimEnv } from "./env.js";

/** A request's answer as it passes back out through the steps, and the route it is recorded under. */
export interface Answered {
  answer: Response;
  status: number;
  route: string;
}

/** What a step runs once the request is answered, before the steps outside it see the answer. */
export type Leave = () => void | Promise<void>;

// biome-ignore lint/suspicious/noConfusingVoidType: most steps are plain functions that return nothing, which TypeScript types as void.
type Entered = Leave | undefined | void;

/**
 * One step of the legacy request pipeline. The pipeline is declared once, as
 * lists of steps (http/legacy-pipeline.ts), and built two ways from them: as
 * Hono middleware (`middlewareOf`) for most routes, and as one composed handler
 * (`composed`) for the order path, where each middleware's async frame and
 * Hono's dispatch cost every order CPU and, with thousands in flight, memory.
 * Both answer alike: a step that throws is answered where it throws, as Hono's
 * compose answers it, and the steps outside it go on.
 */
export interface Step {
  readonly name: string;
  /** Before the rest of the request: throws the V1Error that refuses it; may return what to run once it is answered. A promise only when it must wait. */
  readonly enter?: (c: Context<ShimEnv>) => Entered | Promise<Entered>;
  /** Runs the rest of the request inside it (a span, a capture). */
  readonly around?: (c: Context<ShimEnv>, rest: () => Promise<Answered>) => Promise<Answered>;
  /** Sees each answer that passes out through it, a refusal of an inner step's included: adds headers, records it. */
  readonly answered?: (c: Context<ShimEnv>, answered: Answered) => void;
}

/** The route Hono records for an answer given before the request reached its route's own steps. */
export const APP_WIDE_ROUTE = "/*";

const answeredOf = (c: Context<ShimEnv>): Answered => ({ answer: c.res, status: c.res.status, route: routePath(c) });

/** The step as a Hono middleware. */
export function middlewareOf(step: Step): MiddlewareHandler<ShimEnv> {
  const { enter, around, answered } = step;
  const inner = async (c: Context<ShimEnv>, next: () => Promise<void>): Promise<void> => {
    let leave = enter?.(c);
    if (leave instanceof Promise) leave = await leave;
    try {
      await next();
    } finally {
      if (leave) await leave();
    }
    answered?.(c, answeredOf(c));
  };
  const middleware: MiddlewareHandler<ShimEnv> = around
    ? async (c, next) => {
        await around(c, async () => {
          await inner(c, next);
          return answeredOf(c);
        });
      }
    : inner;
  // Hono names nothing; the name shows in a profile and a stack.
  Object.defineProperty(middleware, "name", { value: step.name });
  return middleware;
}

type Failed = (error: Error, c: Context<ShimEnv>) => Response;

/**
 * The app-wide steps, then the route's, then `handle`, as one handler: the same
 * steps in the same order as the middleware, as plain calls. Only a step that
 * runs the rest inside it (`around`) or must wait costs an async frame.
 */
export function composed(
  appWide: readonly Step[],
  route: readonly Step[],
  handle: (c: Context<ShimEnv>) => Promise<Response>,
  answerFailure: Failed,
): Handler<ShimEnv> {
  const steps = [...appWide, ...route];
  const firstOfRoute = appWide.length;

  /** As compose does, only an Error is answered; anything else is thrown on, to Hono. */
  const failed = (error: unknown, c: Context<ShimEnv>, inRoute: boolean): Answered => {
    if (!(error instanceof Error)) throw error;
    const answer = answerFailure(error, c);
    return { answer, status: answer.status, route: inRoute ? routePath(c) : APP_WIDE_ROUTE };
  };

  const handled = async (c: Context<ShimEnv>): Promise<Answered> => {
    try {
      const answer = await handle(c);
      return { answer, status: answer.status, route: routePath(c) };
    } catch (error) {
      return failed(error, c, true);
    }
  };

  /**
   * From step `from` on: enters each until one refuses (it is then answered there),
   * runs the rest, then, innermost first, each entered step leaves and sees the answer.
   */
  const runFrom = async (c: Context<ShimEnv>, from: number): Promise<Answered> => {
    const entered: { step: Step; leave: Leave | undefined }[] = [];
    let answered: Answered | undefined;
    let thrown: unknown;
    try {
      for (let i = from; i < steps.length && !answered; i++) {
        const step = steps[i]!;
        try {
          if (step.around) {
            answered = await step.around(c, () => runFrom(c, i + 1));
            entered.push({ step, leave: undefined });
          } else {
            let leave = step.enter?.(c);
            if (leave instanceof Promise) leave = await leave;
            entered.push({ step, leave: leave || undefined });
          }
        } catch (error) {
          // Answered where it refuses, as Hono's compose answers a middleware that throws: the step itself sees nothing more.
          answered = failed(error, c, i >= firstOfRoute);
        }
      }
      answered ??= await handled(c);
    } catch (error) {
      thrown = error;
    }
    for (let j = entered.length - 1; j >= 0; j--) {
      const { step, leave } = entered[j]!;
      if (leave) await leave();
      if (answered) step.answered?.(c, answered);
    }
    if (!answered) throw thrown;
    return answered;
  };

  return function answerComposed(c) {
    return runFrom(c, 0).then(({ answer }) => answer);
  };
}
