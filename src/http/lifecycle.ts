import type { Context } from "hono";
import { v1Errors } from "../contract/v1-errors.js";
import type { RequestLog } from "../observability/request-log.js";
import { type ShimEnv, settled } from "./env.js";

/** Why /readyz answers 503, or "ready". */
export type Readiness = "ready" | "draining" | "state_unavailable";

/**
 * Whether the shim takes requests, and how many it is answering. On shutdown it
 * first stops being ready (`stopReadiness`: /readyz says 503 while requests are
 * still served, so that load balancers take the instance out), then drains: new
 * requests are turned away with a 503 (nothing reaches v2), those in flight,
 * orders among them, run to their answer.
 */
export class Lifecycle {
  #draining = false;
  #leaving = false;
  /** Each request in flight, by its id, with what its log line says so far (its alternative_order_id among it). */
  readonly #inFlight = new Map<string, RequestLog>();
  #idle: (() => void)[] = [];

  /** `storeRefusing`: true while orders are refused because a required state store is down. */
  constructor(private readonly storeRefusing: () => boolean = () => false) {}

  get draining(): boolean {
    return this.#draining;
  }

  /** What /readyz says: not ready from the signal on, nor while every order would be refused. */
  get readiness(): Readiness {
    if (this.#leaving || this.#draining) return "draining";
    return this.storeRefusing() ? "state_unavailable" : "ready";
  }

  get inFlight(): number {
    return this.#inFlight.size;
  }

  /** A request comes in: a 503 while draining, else it is in flight until `leave`. */
  enter(c: Context<ShimEnv>): string {
    if (this.#draining) throw v1Errors.shuttingDown();
    const id = settled(c, "requestId");
    this.#inFlight.set(id, settled(c, "log"));
    return id;
  }

  /** The request `enter` took has been answered, or failed. */
  leave(id: string): void {
    this.#inFlight.delete(id);
    if (this.#inFlight.size === 0) for (const resolve of this.#idle.splice(0)) resolve();
  }

  /** The signal came: /readyz answers 503 from now on, while requests are still taken and served. */
  stopReadiness(): void {
    this.#leaving = true;
  }

  startDraining(): void {
    this.#draining = true;
  }

  /** True once nothing is in flight; false if `timeoutMs` passes first. */
  whenIdle(timeoutMs: number): Promise<boolean> {
    if (this.#inFlight.size === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      this.#idle.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }

  /** The orders in flight, as far as they got: what a reconcile line needs for each, if the process must stop before they end. */
  ordersInFlight(): { req_id: string; account_id: string | undefined; alternative_order_id: string }[] {
    return [...this.#inFlight].flatMap(([req_id, { account_id, alternative_order_id }]) =>
      alternative_order_id ? [{ req_id, account_id, alternative_order_id }] : [],
    );
  }
}
