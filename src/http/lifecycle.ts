import type { MiddlewareHandler } from "hono";
import { v1Errors } from "../contract/v1-errors.js";
import type { ShimEnv } from "./env.js";

/**
 * Whether the shim takes requests, and how many it is answering. On shutdown it
 * drains: new requests are turned away with a 503 (nothing reaches v2), those in
 * flight, orders among them, run to their answer.
 */
export class Lifecycle {
  #draining = false;
  #inFlight = 0;
  #idle: (() => void)[] = [];

  get draining(): boolean {
    return this.#draining;
  }

  get inFlight(): number {
    return this.#inFlight;
  }

  readonly track: MiddlewareHandler<ShimEnv> = async (_c, next) => {
    if (this.#draining) throw v1Errors.shuttingDown();
    this.#inFlight++;
    try {
      await next();
    } finally {
      this.#inFlight--;
      if (this.#inFlight === 0) for (const resolve of this.#idle.splice(0)) resolve();
    }
  };

  startDraining(): void {
    this.#draining = true;
  }

  /** True once nothing is in flight; false if `timeoutMs` passes first. */
  whenIdle(timeoutMs: number): Promise<boolean> {
    if (this.#inFlight === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      this.#idle.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }
}
