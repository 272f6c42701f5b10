import { hash } from "node:crypto";
import { isRateLimited, isSuccess, type V2Reply } from "../contract/v2-reply.js";
import { setNewest } from "../lib/bounded-map.js";
import type { RateWindow } from "../lib/rate-window.js";

/** What pacing needs of the state store; the shim's StateStore is one. */
export interface PaceStore {
  reserve(bucket: string, windows: readonly RateWindow[], maxWaitMs: number): Promise<{ admitted: boolean; waitMs: number }>;
  holdBack(bucket: string, ms: number): Promise<void>;
  inheritPace(bucket: string, from: string): Promise<void>;
  setFlag(name: string, ttlMs: number): Promise<void>;
  hasFlag(name: string): Promise<boolean>;
}

/** When a call may go. `unavailable`: the store that paces it cannot be reached, and nothing may stand in. */
interface PaceSlot {
  admitted: boolean;
  waitMs: number;
  unavailable?: boolean;
}

/** Keys are kept by a digest, so no store and no table of the shim holds one in clear. */
// One call, no Hash object: less than half the time of createHash (0.33 against 0.77 µs), and every order takes one.
export const keyDigest = (apiKey: string): string => hash("sha256", apiKey, "base64url");

/** How often this process writes again that it has seen v2 accept a key, so the mark outlives its TTL while the key is used. */
const REMARK_MS = 3_600_000;

/**
 * The keys v2 has accepted (answered one of their calls with a 2xx), as marks in
 * the state store, so every replica knows them; the ones this process has seen
 * are remembered here, at most `max` of them.
 */
export class KnownKeys {
  readonly #here = new Map<string, number>();

  constructor(
    private readonly store: Pick<PaceStore, "setFlag" | "hasFlag">,
    private readonly ttlMs: number,
    private readonly max = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Known to this process, without asking the store. */
  knownHere(digest: string): boolean {
    return this.#here.has(digest);
  }

  async knows(digest: string): Promise<boolean> {
    if (this.#here.has(digest)) return true;
    const known = await this.store.hasFlag(`v2key:${digest}`).catch(() => false);
    if (known) setNewest(this.#here, digest, this.now(), this.max);
    return known;
  }

  accept(digest: string): void {
    const marked = this.#here.get(digest);
    if (marked !== undefined && this.now() - marked < REMARK_MS) return;
    setNewest(this.#here, digest, this.now(), this.max);
    void this.store.setFlag(`v2key:${digest}`, this.ttlMs).catch(() => undefined);
  }
}

interface PacerOptions {
  /**
   * Passthrough: the keys v2 has not accepted yet share one bucket, with these
   * windows, so that made-up keys cost the shim no memory each and reach v2 only
   * at this rate. Unset (accounts mode, whose keys the operator configured):
   * every key has its own bucket.
   */
  newKeys?: { windows: readonly RateWindow[]; known: KnownKeys };
}

/** The bucket that every key v2 has not accepted yet shares. */
export const NEW_KEYS_BUCKET = "new-keys";

/**
 * Keeps the calls made with one API key under v2's rolling limits (100 per 5 s,
 * 1000 per 3 min), across every replica that shares the store: a call reserves
 * the earliest slot, waits for it, or is not made (see StateStore.reserve).
 */
export class Pacer {
  constructor(
    private readonly windows: readonly RateWindow[],
    private readonly store?: PaceStore,
    private readonly options: PacerOptions = {},
  ) {}

  /** The slot of a call with this key: it may go after `waitMs`; not admitted when that is more than `maxWaitMs`. */
  async reserve(apiKey: string, maxWaitMs: number): Promise<PaceSlot> {
    if (this.windows.length === 0 || !this.store) return { admitted: true, waitMs: 0 };
    const { bucket, windows } = await this.#bucketOf(apiKey);
    try {
      return await this.store.reserve(bucket, windows, maxWaitMs);
    } catch {
      return { admitted: false, waitMs: 1_000, unavailable: true };
    }
  }

  /**
   * What v2's reply says about the key: a 2xx, that v2 accepts it; a 429 that
   * does not say how long to wait, that the key is saturated, so no call with it
   * goes for the rest of its shortest window, from any replica.
   */
  async settle(apiKey: string, reply: V2Reply): Promise<void> {
    const newKeys = this.options.newKeys;
    if (isSuccess(reply) && newKeys) {
      const digest = keyDigest(apiKey);
      // The calls the key made while it was new count against its own limits too, not only the shared ones.
      if (!newKeys.known.knownHere(digest) && this.windows.length > 0 && this.store) {
        await this.store.inheritPace(`key:${digest}`, NEW_KEYS_BUCKET).catch(() => undefined);
      }
      newKeys.known.accept(digest);
    } else if (isRateLimited(reply) && reply.kind === "answer" && reply.retryAfterSeconds === undefined && this.store) {
      if (this.windows.length === 0) return;
      const { bucket, windows } = await this.#bucketOf(apiKey);
      await this.store.holdBack(bucket, Math.min(...windows.map((w) => w.windowMs))).catch(() => undefined);
    }
  }

  async #bucketOf(apiKey: string): Promise<{ bucket: string; windows: readonly RateWindow[] }> {
    const digest = keyDigest(apiKey);
    const newKeys = this.options.newKeys;
    if (newKeys && !(await newKeys.known.knows(digest))) return { bucket: NEW_KEYS_BUCKET, windows: newKeys.windows };
    return { bucket: `key:${digest}`, windows: this.windows };
  }
}
