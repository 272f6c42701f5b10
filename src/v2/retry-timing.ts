import { setTimeout as delay } from "node:timers/promises";
import type { Config } from "../config.js";
import type { V2Reply } from "./client.js";

/** How the shim retries v2 calls: from the SHIM_* settings. */
export type RetryPolicy = Config["retry"];

export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const realClock: Clock = { now: () => performance.now(), sleep: (ms) => delay(ms) };

/** Time kept back to write the client's answer before the deadline. */
const ANSWER_MARGIN_MS = 25;

/** The deadline of one client request's v2 work, and what each call may have of what is left. */
export function deadlineFor(policy: RetryPolicy, clock: Clock) {
  const deadline = clock.now() + policy.deadlineMs - ANSWER_MARGIN_MS;
  return {
    remaining: () => deadline - clock.now(),
    limits: () => {
      const remaining = deadline - clock.now();
      return { timeoutMs: Math.max(1, Math.min(policy.timeoutMs, remaining)), maxPaceWaitMs: Math.min(policy.paceMaxWaitMs, remaining) };
    },
  };
}

/** Doubles from the base with each step, with jitter so that clients that failed together do not retry together. */
export function backoffMs(step: number, policy: RetryPolicy): number {
  const full = Math.min(policy.retryAfterCapMs, policy.retryBaseMs * 2 ** step);
  return full / 2 + Math.random() * (full / 2);
}

/** How long a 429 asks to wait, capped; undefined for any other reply, or a 429 that does not say. */
export function retryAfterOf(reply: V2Reply, policy: RetryPolicy): number | undefined {
  return reply.kind === "answer" && reply.status === 429 ? retryAfterMs(reply.retryAfter, policy) : undefined;
}

/** A Retry-After in seconds, capped; undefined when absent or a date (v2 sends seconds, if anything). */
function retryAfterMs(header: string | undefined, policy: RetryPolicy): number | undefined {
  const seconds = header === undefined ? NaN : Number(header.trim());
  return Number.isFinite(seconds) && seconds >= 0 ? Math.min(seconds * 1000, policy.retryAfterCapMs) : undefined;
}
