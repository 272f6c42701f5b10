import { randomUUID } from "node:crypto";
import { setNewest } from "../lib/bounded-map.js";
import type { Flags, HitLogs } from "../state/store.js";

export interface LoginLimits {
  windowMs: number;
  /** Failed logins in a window, per account id, from addresses it has not logged in from. */
  perAccount: number;
  /** The same, per client address, whatever the account. */
  perAddress: number;
  /** Failed logins per account from an address it has logged in from. */
  perTrustedAddress: number;
  /** How long a successful login makes its address trusted for its account. */
  trustMs: number;
}

export const DEFAULT_LOGIN_LIMITS: LoginLimits = {
  windowMs: 15 * 60_000,
  perAccount: 10,
  perAddress: 30,
  perTrustedAddress: 10,
  trustMs: 30 * 86_400_000,
};

/** One login being checked. */
interface LoginAttempt {
  accountId: string;
  address: string;
  trusted: boolean;
  token: string;
}

/** How long this process believes a trust mark it has read or written before it asks the store again. */
const TRUST_SEEN_MS = 10 * 60_000;

/**
 * Limits failed logins by rate, across every replica that shares the store,
 * without letting a guesser lock the real client out:
 *
 * - A login from an address that has not logged into the account before takes
 *   a slot in the account's and the address's logs before its key is checked
 *   (so guesses in parallel cannot overrun the limit); a success gives the slot
 *   back, a failure keeps it. With either log full, the key is not checked.
 * - A success makes its address trusted for that account. From a trusted
 *   address only that address's own failures count, so a guesser elsewhere,
 *   however many failures it piles on the account, never shuts out the client
 *   that logs in from where it always does; and no success clears anyone's count.
 */
export class FailedLogins {
  readonly #trustSeen = new Map<string, number>();

  constructor(
    private readonly store: HitLogs & Flags,
    private readonly limits: LoginLimits = DEFAULT_LOGIN_LIMITS,
    private readonly now: () => number = Date.now,
  ) {}

  /** The attempt, or how long until one may be made. Throws when the store is down and required. */
  async attempt(
    accountId: string,
    address: string,
  ): Promise<{ admitted: true; attempt: LoginAttempt } | { admitted: false; retryAfterMs: number }> {
    const { windowMs, perAccount, perAddress, perTrustedAddress } = this.limits;
    const keys = keysOf(accountId, address);
    const trusted = await this.#trusted(keys.trust);
    const token = randomUUID();
    const check = trusted
      ? await this.store.hitCheck([{ key: keys.pair, limit: perTrustedAddress }], windowMs)
      : await this.store.hitAdmit(
          [
            { key: keys.account, limit: perAccount },
            { key: keys.address, limit: perAddress },
          ],
          windowMs,
          token,
        );
    return check.admitted ? { admitted: true, attempt: { accountId, address, trusted, token } } : check;
  }

  async failed(attempt: LoginAttempt): Promise<void> {
    const keys = keysOf(attempt.accountId, attempt.address);
    // An untrusted attempt's slots in the account's and address's logs stay, as its failure.
    await this.store.hitAdd(attempt.trusted ? [keys.pair, keys.account, keys.address] : [keys.pair], this.limits.windowMs, attempt.token);
  }

  async succeeded(attempt: LoginAttempt): Promise<void> {
    const keys = keysOf(attempt.accountId, attempt.address);
    if (!attempt.trusted) await this.store.hitRemove([keys.account, keys.address], attempt.token);
    const seen = this.#trustSeen.get(keys.trust);
    if (attempt.trusted && seen !== undefined && this.now() - seen < TRUST_SEEN_MS) return;
    await this.store.setFlag(keys.trust, this.limits.trustMs);
    setNewest(this.#trustSeen, keys.trust, this.now(), 10_000);
  }

  async #trusted(flag: string): Promise<boolean> {
    const seen = this.#trustSeen.get(flag);
    if (seen !== undefined && this.now() - seen < TRUST_SEEN_MS) return true;
    const trusted = await this.store.hasFlag(flag);
    if (trusted) setNewest(this.#trustSeen, flag, this.now(), 10_000);
    return trusted;
  }
}

/** The logs and the mark of one account and address; an account id holds no colon, so the first one separates them. */
function keysOf(accountId: string, address: string) {
  const pair = `${accountId}:${address}`;
  return {
    account: `login:account:${accountId}`,
    address: `login:address:${address}`,
    pair: `login:pair:${pair}`,
    trust: `login-trust:${pair}`,
  };
}
