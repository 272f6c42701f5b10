import { SHIM_VERSION } from "../contract/version.js";
import type { ReplicaBeats } from "../state/store.js";

/** How often a replica writes its beat: well within the five minutes the dashboard looks back. */
const BEAT_EVERY_MS = 15_000;
/** A beat older than this is forgotten by the next one written, so restarted replicas' old ids do not pile up. */
const KEEP_BEATS_MS = 60 * 60_000;

interface HeartbeatOptions {
  replicaId: string;
  version?: string;
  everyMs?: number;
  now?: () => number;
}

/**
 * This replica's sign of life in the state store: its id, its version, since
 * when it runs and when it last wrote, so that the dashboard of every replica
 * sharing the store lists every replica alive. Written at start and on a timer;
 * a write that fails waits for the next.
 */
export class ReplicaHeartbeat {
  readonly #startedAt: number;
  readonly #now: () => number;
  #timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly store: ReplicaBeats,
    private readonly options: HeartbeatOptions,
  ) {
    this.#now = options.now ?? Date.now;
    this.#startedAt = this.#now();
  }

  /** Writes this replica's beat now; rejects when the store cannot take it. */
  async beat(): Promise<void> {
    const at = this.#now();
    const { replicaId: replica, version = SHIM_VERSION } = this.options;
    await this.store.beat({ replica, version, started_at: this.#startedAt, at }, at - KEEP_BEATS_MS);
  }

  start(): void {
    const beat = () => void this.beat().catch(() => undefined);
    beat();
    this.#timer = setInterval(beat, this.options.everyMs ?? BEAT_EVERY_MS);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
  }
}
