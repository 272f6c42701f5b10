import { v1Errors } from "../contract/v1-errors.js";
import { type Authenticator, basicCredentials } from "../http/basic-auth.js";
import { clientAddress } from "../http/client-address.js";
import { settled } from "../http/env.js";
import type { Logger } from "../observability/log.js";
import { StateUnavailable } from "../state/resilient.js";
import type { FailedLogins } from "./failed-logins.js";
import type { AccountRegistry } from "./registry.js";

export interface AuthenticateDeps {
  registry: AccountRegistry;
  failedLogins: FailedLogins;
  logger: Logger;
  /** SHIM_TRUST_PROXY_HOPS: how the client's address is read. */
  trustProxyHops?: number;
}

/** A refusal past the limit is logged at most this often per account, by each process: a guesser must not flood the log. */
const WARN_EVERY_MS = 60_000;

/**
 * Accounts mode: the legacy account_id:api_key must match the accounts file,
 * and the order goes to v2 with the account's own v2 key. An unknown account
 * and a wrong key get the same answer after about the same work, so accounts
 * cannot be probed; a disabled account is told so only once its key is right.
 * Failed logins are limited by rate (FailedLogins); past the limit the key is
 * not checked at all, whether the account exists or not.
 */
export function authenticateAccount({ registry, failedLogins, logger, trustProxyHops = 0 }: AuthenticateDeps): Authenticator {
  const warned = new Map<string, number>();
  const orUnavailable = async <T>(work: Promise<T>): Promise<T> => {
    try {
      return await work;
    } catch (error) {
      if (error instanceof StateUnavailable) throw v1Errors.stateUnavailable();
      throw error;
    }
  };

  return async function authenticateLegacyAccount(c) {
    const { accountId, apiKey } = basicCredentials(c.req.raw);
    settled(c, "log").account_id = accountId;
    const address = clientAddress(c, trustProxyHops);
    const attempt = await orUnavailable(failedLogins.attempt(accountId, address));
    if (!attempt.admitted) {
      const last = warned.get(accountId) ?? -Infinity;
      if (performance.now() - last > WARN_EVERY_MS) {
        if (warned.size >= 10_000) warned.clear();
        warned.set(accountId, performance.now());
        logger.warn({ account_id: accountId, address }, "too many failed logins for this account or address: credentials are not checked");
      }
      throw v1Errors.tooManyFailedLogins(Math.max(1, Math.ceil(attempt.retryAfterMs / 1000)));
    }
    const check = await registry.check(accountId, apiKey);
    if (check.outcome === "busy") throw v1Errors.credentialChecksBusy();
    if (check.outcome === "refused") {
      await orUnavailable(failedLogins.failed(attempt.attempt));
      throw v1Errors.credentialsRefused();
    }
    await orUnavailable(failedLogins.succeeded(attempt.attempt));
    settled(c, "log").credentials_accepted = true;
    if (check.outcome === "disabled") throw v1Errors.accountDisabled();
    const { v2ApiKey, containerId, organizationId, addVerifiedContact } = check.account;
    c.set("account", { accountId, v2ApiKey, containerId, organizationId, addVerifiedContact });
    return undefined;
  };
}
