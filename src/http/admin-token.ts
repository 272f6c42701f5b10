import { randomUUID } from "node:crypto";
import type { Context, MiddlewareHandler } from "hono";
import { auth } from "hono/utils/basic-auth";
import { timingSafeEqual } from "hono/utils/buffer";
import { type V1Error, v1Errors } from "../contract/v1-errors.js";
import { StateUnavailable } from "../state/resilient.js";
import type { HitLogs } from "../state/store.js";
import { clientAddress } from "./client-address.js";
import type { ShimEnv } from "./env.js";

/** What the request offers as the admin token: a Bearer token, or the password of HTTP Basic (any user name). */
function offeredToken(request: Request): string | undefined {
  const header = request.headers.get("authorization") ?? "";
  const bearer = header.match(/^Bearer +([\x21-\x7e]+) *$/i);
  if (bearer) return bearer[1];
  return auth(request)?.password || undefined;
}

export interface AdminTokenLimits {
  /** Wrong tokens a client address may offer in a window before its next is not checked. */
  perAddress: number;
  windowMs: number;
}

/** Ten wrong tokens in 15 minutes: a person mistyping, or a scraper with an old token, is told; a guesser gets nowhere. */
export const DEFAULT_ADMIN_TOKEN_LIMITS: AdminTokenLimits = { perAddress: 10, windowMs: 15 * 60_000 };

/**
 * Wrong admin tokens, counted per client address in the state store's hit logs,
 * as failed logins are (accounts/failed-logins.ts): shared by every replica, so a
 * guesser whose requests a load balancer spreads over N replicas gets no N times
 * the tries; while the store is down each replica counts alone (ResilientStore).
 * An offer takes a slot before its token is compared, so that guesses in parallel
 * cannot overrun the limit; a right token gives its slot back.
 */
export class FailedAdminTokens {
  constructor(
    private readonly store: HitLogs,
    private readonly limits: AdminTokenLimits = DEFAULT_ADMIN_TOKEN_LIMITS,
  ) {}

  async attempt(address: string): Promise<{ admitted: true; slot: string } | { admitted: false; retryAfterMs: number }> {
    const slot = randomUUID();
    const check = await this.store.hitAdmit([{ key: keyOf(address), limit: this.limits.perAddress }], this.limits.windowMs, slot);
    return check.admitted ? { admitted: true, slot } : check;
  }

  async rightToken(address: string, slot: string): Promise<void> {
    await this.store.hitRemove([keyOf(address)], slot);
  }
}

const keyOf = (address: string) => `admin-token:address:${address}`;

/** An operator's answer: JSON, like the rest of /_shim/, whatever the request's Accept. */
const refuse = (c: Context<ShimEnv>, error: V1Error) => c.json({ errors: error.errors }, error.status, error.headers);

/**
 * The admin token on every admin endpoint, as a browser or a tool can send it:
 * Basic, so that a browser's login prompt works (any user name, the token as the
 * password), or Bearer. Compared as Hono's bearerAuth compares (digests, in
 * constant time). No token: 401 with a Basic challenge, and nothing of the page.
 * A wrong one is counted against the client's address; past the limit, the token
 * is not compared at all: 429 too_many_failed_admin_tokens with Retry-After.
 */
export function requireAdminToken(token: string, failures: FailedAdminTokens, trustProxyHops: number): MiddlewareHandler<ShimEnv> {
  return async (c, next) => {
    const offered = offeredToken(c.req.raw);
    // A browser asks without credentials first, to be challenged: that is no wrong token.
    if (offered === undefined) return refuse(c, v1Errors.adminTokenRequired());
    const address = clientAddress(c, trustProxyHops);
    let attempt: Awaited<ReturnType<FailedAdminTokens["attempt"]>>;
    try {
      attempt = await failures.attempt(address);
    } catch (error) {
      if (error instanceof StateUnavailable) return refuse(c, v1Errors.stateUnavailable());
      throw error;
    }
    if (!attempt.admitted) return refuse(c, v1Errors.tooManyFailedAdminTokens(Math.max(1, Math.ceil(attempt.retryAfterMs / 1000))));
    if (!(await timingSafeEqual(token, offered))) return refuse(c, v1Errors.adminTokenRequired());
    // A slot the store fails to give back only counts as one wrong token: the operator is let in all the same.
    await failures.rightToken(address, attempt.slot).catch(() => undefined);
    await next();
  };
}
