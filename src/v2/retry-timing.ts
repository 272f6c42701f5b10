import { setTimeout as delay } from "node:timers/promises";
import { isRateLimited, type V2Reply } from "../contract/v2-reply.js";

/** How the shim retries v2 calls; the configuration gives it from the SHIM_* settings. */
export interface RetryPolicy {
  /** Sends of one order, and look-ups, at most. */
  attempts: number;
  /** One v2 call at most. */
  timeoutMs: number;
  /** From the start of a request's v2 work to the client's answer, retries and waits included. */
  deadlineMs: number;
  retryBaseMs: number;
  retryAfterCapMs: number;
  paceMaxWaitMs: number;
}

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
export function backoffMs(step: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const full = Math.min(policy.retryAfterCapMs, policy.retryBaseMs * 2 ** step);
  return full / 2 + random() * (full / 2);
}

/** How long a 429 asks to wait, capped; undefined for any other reply, or a 429 that does not say. */
export function retryAfterOf(reply: V2Reply, policy: RetryPolicy): number | undefined {
  if (reply.kind !== "answer" || !isRateLimited(reply) || reply.retryAfterSeconds === undefined) return undefined;
  return Math.min(reply.retryAfterSeconds * 1000, policy.retryAfterCapMs);
}
