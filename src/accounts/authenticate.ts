import { setTimeout as delay } from "node:timers/promises";
import type { MiddlewareHandler } from "hono";
import { v1Errors } from "../contract/v1-errors.js";
import { basicCredentials } from "../http/basic-auth.js";
import type { ShimEnv } from "../http/env.js";
import type { Logger } from "../observability/log.js";
import type { FailedLogins } from "./failed-logins.js";
import type { AccountRegistry } from "./registry.js";

export interface AuthenticateDeps {
  registry: AccountRegistry;
  failedLogins: FailedLogins;
  logger: Logger;
  sleep?: (ms: number) => Promise<unknown>;
}

/**
 * Accounts mode: the legacy account_id:api_key must match the accounts file,
 * and the order goes to v2 with the account's own v2 key. An unknown account
 * and a wrong key get the same answer after about the same work, so accounts
 * cannot be probed; a disabled account is told so only once its key is right.
 */
export function authenticateAccount({ registry, failedLogins, logger, sleep = delay }: AuthenticateDeps): MiddlewareHandler<ShimEnv> {
  return async (c, next) => {
    const { accountId, apiKey } = basicCredentials(c.req.raw);
    c.get("log").account_id = accountId;
    const check = await registry.check(accountId, apiKey);
    if (check.outcome === "busy") throw v1Errors.credentialChecksBusy();
    if (check.outcome === "refused") {
      const { failures, delayMs, report } = failedLogins.failed(accountId);
      if (report) {
        logger.warn(
          { account_id: accountId, failures, delay_ms: delayMs },
          "repeated failed logins for this account: answers are slowed down",
        );
      }
      await sleep(delayMs);
      throw v1Errors.credentialsRefused();
    }
    failedLogins.succeeded(accountId);
    if (check.outcome === "disabled") throw v1Errors.accountDisabled();
    const { v2ApiKey, containerId, organizationId, addVerifiedContact } = check.account;
    c.set("account", { accountId, v2ApiKey, containerId, organizationId, addVerifiedContact });
    await next();
  };
}
