import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { V1Error, v1Errors } from "../contract/v1-errors.js";
import type { ShimEnv } from "./env.js";
import { composed, middlewareOf, type Step } from "./pipeline.js";

// The pipeline is declared once and built two ways: as middleware, and as the
// order path's composed handler. Whatever step refuses, both must answer alike
// and run the same steps' ends in the same order.

type Events = string[];

/** A refusal whose status says which step gave it. */
const refusal = (at: number) => new V1Error((400 + at) as V1Error["status"], [{ code: `step_${at}`, description: "" }]);

/** Steps of each kind, writing what they do to `events`; the one at `failAt` throws (an await first when `late`). */
function stepsFor(events: Events, failAt: number, late: boolean): { appWide: Step[]; route: Step[] } {
  const kinds = ["enter", "leave", "around", "answered", "async", "enter", "around", "leave"] as const;
  const steps: Step[] = kinds.map((kind, i) => {
    const entering = () => {
      events.push(`enter ${i}`);
      if (i === failAt) throw refusal(i);
    };
    const name = `${kind}${i}`;
    switch (kind) {
      case "enter":
        return { name, enter: entering };
      case "async":
        return {
          name,
          enter: async () => {
            await Promise.resolve();
            entering();
          },
        };
      case "leave":
        return {
          name,
          enter: () => {
            entering();
            return late ? async () => void events.push(`leave ${i}`) : () => void events.push(`leave ${i}`);
          },
        };
      case "answered":
        return { name, enter: entering, answered: (_c, { status, route }) => void events.push(`answered ${i} ${status} ${route}`) };
      default:
        return {
          name,
          around: async (_c, rest) => {
            entering();
            const answered = await rest();
            events.push(`around ${i} out ${answered.status}`);
            return answered;
          },
        };
    }
  });
  return { appWide: steps.slice(0, 4), route: steps.slice(4) };
}

const HANDLER_FAILS = 99;

function appsFor(failAt: number, late: boolean) {
  const failure = (error: Error) => {
    const status = error instanceof V1Error ? error.status : 500;
    return new Response(null, { status });
  };
  const build = (kind: "middleware" | "composed") => {
    const events: Events = [];
    const { appWide, route } = stepsFor(events, failAt, late);
    const handle = async () => {
      events.push("handler");
      if (failAt === HANDLER_FAILS) throw v1Errors.notFound();
      return new Response("ok", { status: 201 });
    };
    const app = new Hono<ShimEnv>();
    if (kind === "composed") app.post("/order", composed(appWide, route, handle, failure));
    else {
      app.use(...appWide.map(middlewareOf));
      app.on("POST", ["/order"], ...route.map(middlewareOf), handle);
      app.onError(failure);
    }
    return { app, events };
  };
  return { middleware: build("middleware"), composed: build("composed") };
}

describe("the pipeline, as middleware and composed", () => {
  const failures = [...Array.from({ length: 8 }, (_, i) => i), HANDLER_FAILS, -1];
  for (const late of [false, true]) {
    for (const failAt of failures) {
      const what = failAt === -1 ? "nothing fails" : failAt === HANDLER_FAILS ? "the handler fails" : `step ${failAt} refuses`;
      it(`answers alike and ends the same steps in the same order when ${what}${late ? " (leaving late)" : ""}`, async () => {
        const { middleware, composed } = appsFor(failAt, late);
        const viaMiddleware = await middleware.app.request("/order", { method: "POST" });
        const viaComposed = await composed.app.request("/order", { method: "POST" });
        expect(viaComposed.status).toBe(viaMiddleware.status);
        expect(composed.events).toEqual(middleware.events);
        // The refusal is the refusing step's own, and the answered step saw it under the route it came from.
        const expected = failAt === -1 ? 201 : failAt === HANDLER_FAILS ? 404 : 400 + failAt;
        expect(viaComposed.status).toBe(expected);
        if (failAt > 3) expect(composed.events).toContain(`answered 3 ${expected} /order`);
        if (failAt >= 0 && failAt <= 3) expect(composed.events.some((e) => e.startsWith("answered"))).toBe(false);
      });
    }
  }
});
