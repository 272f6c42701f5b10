import type { Context } from "hono";
import { auth } from "hono/utils/basic-auth";
import { v1Errors } from "../contract/v1-errors.js";
import { type KnownKeys, keyDigest } from "../v2/pacer.js";
import { type ShimEnv, settled } from "./env.js";

/** `Authorization: Basic base64(account_id:api_key)`, both parts non-empty, or a 401. */
export function basicCredentials(request: Request): { accountId: string; apiKey: string } {
  const credentials = auth(request);
  if (!credentials?.username || !credentials.password) throw v1Errors.authenticationRequired();
  return { accountId: credentials.username, apiKey: credentials.password };
}

/** What an HTTP header value can carry: a key with anything else cannot reach v2 as X-DC-DEVKEY. */
export const HEADER_SAFE = /^[\x21-\x7e]+$/;

/**
 * Who a request acts for: checks its credentials and sets its account
 * (`settled(c, "account")`), or throws the V1Error that refuses it. What it returns,
 * if anything, is run once the request has been answered, before it is recorded.
 * A step of the pipeline (http/legacy-pipeline.ts).
 */
export type Authenticator = (c: Context<ShimEnv>) => AfterAnswer | undefined | Promise<AfterAnswer | undefined>;
type AfterAnswer = () => Promise<void>;

/**
 * Passthrough (without SHIM_ACCOUNTS_FILE): the legacy api_key is the v2 key; v2
 * judges it. Its credentials count as accepted once v2 has accepted the key, on
 * this request or an earlier one, on any replica.
 */
export function passthroughAccount(known: KnownKeys | undefined): Authenticator {
  return function acceptPassthroughCredentials(c) {
    const { accountId, apiKey } = basicCredentials(c.req.raw);
    if (!HEADER_SAFE.test(apiKey)) throw v1Errors.authenticationRequired();
    c.set("account", { accountId, v2ApiKey: apiKey });
    const log = settled(c, "log");
    log.account_id = accountId;
    if (!known) return undefined;
    return async () => {
      const digest = keyDigest(apiKey);
      log.credentials_accepted = known.knownHere(digest) || (await known.knows(digest));
    };
  };
}

/** The keys a request holds, to be kept out of anything passed on to its client: the v2 key it orders with, and its Basic key. */
export function keysOf(c: Context<ShimEnv>): string[] {
  return [settled(c, "account").v2ApiKey, basicCredentials(c.req.raw).apiKey];
}
