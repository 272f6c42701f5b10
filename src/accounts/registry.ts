import { createHmac, randomBytes } from "node:crypto";
import type { Config } from "../config/config.js";
import { setNewest } from "../lib/bounded-map.js";
import { type Account, loadAccounts } from "./accounts-file.js";
import { HashSlots } from "./hash-slots.js";
import { DEFAULT_PARAMS, type KeyHash, verifyKey } from "./key-hash.js";

export type CredentialCheck =
  | { outcome: "accepted"; account: Account }
  | { outcome: "disabled"; account: Account }
  | { outcome: "refused" }
  /** No slot for the key hash freed in time: nothing was decided. */
  | { outcome: "busy" };

export interface RegistryOptions {
  /** How long a successful check is remembered. */
  cacheTtlMs: number;
  maxCached?: number;
  now?: () => number;
  verify?: (key: string, stored: KeyHash) => Promise<boolean>;
  /** The bound on key hashes in flight. */
  hashSlots?: HashSlots;
}

/**
 * The legacy accounts, and the check of a legacy account_id:api_key against
 * them. A slow hash on every call would cost each order tens of milliseconds,
 * so successful checks are remembered for a while, under an HMAC of the
 * credentials with a key made at start: the cache holds no secret, and is
 * emptied whenever the accounts are replaced.
 */
export class AccountRegistry {
  #accounts: ReadonlyMap<string, Account>;
  readonly #cache = new Map<string, { account: Account; expires: number }>();
  readonly #cacheKey = randomBytes(32);
  // An unknown account is checked against this, so that it costs what a wrong key costs.
  readonly #nobody: KeyHash = { ...DEFAULT_PARAMS, salt: randomBytes(16), hash: randomBytes(32) };
  readonly #options: Required<RegistryOptions>;

  constructor(accounts: ReadonlyMap<string, Account>, options: RegistryOptions) {
    this.#accounts = accounts;
    this.#options = { maxCached: 10_000, now: () => performance.now(), verify: verifyKey, hashSlots: new HashSlots(), ...options };
  }

  get size(): number {
    return this.#accounts.size;
  }

  /** The v2 key an account orders with, for work done on its behalf without a request (the reconciler). */
  v2KeyOf(accountId: string): string | undefined {
    return this.#accounts.get(accountId)?.v2ApiKey;
  }

  /** Requests already past their check keep the account they were given. */
  replace(accounts: ReadonlyMap<string, Account>): void {
    this.#accounts = accounts;
    this.#cache.clear();
  }

  async check(accountId: string, key: string): Promise<CredentialCheck> {
    const { now, cacheTtlMs, maxCached, verify, hashSlots } = this.#options;
    const cacheKey = createHmac("sha256", this.#cacheKey).update(accountId).update("\0").update(key).digest("base64");
    const cached = this.#cache.get(cacheKey);
    let account = cached && cached.expires > now() ? cached.account : undefined;
    if (!account) {
      const candidate = this.#accounts.get(accountId);
      const verified = await hashSlots.run(() => verify(key, candidate?.keyHash ?? this.#nobody));
      if (verified === "busy") return { outcome: "busy" };
      if (!candidate || !verified.result) return { outcome: "refused" };
      account = candidate;
      setNewest(this.#cache, cacheKey, { account, expires: now() + cacheTtlMs }, maxCached);
    }
    return { outcome: account.enabled ? "accepted" : "disabled", account };
  }

  /** For tests: the cache's keys, to show they hold no secret. */
  cachedKeys(): string[] {
    return [...this.#cache.keys()];
  }
}

/** Accounts mode when SHIM_ACCOUNTS_FILE is set; a ConfigError names the account and the field. */
export function accountRegistryFor(config: Config, env: NodeJS.ProcessEnv): AccountRegistry | undefined {
  return config.accountsFile
    ? new AccountRegistry(loadAccounts(config.accountsFile, env), { cacheTtlMs: config.authCacheTtlMs })
    : undefined;
}
