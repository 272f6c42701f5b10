import { isShimEndpoint } from "../contract/surface.js";
import { CLIENT_CLOSED_REQUEST, type RequestRecord } from "./request-log.js";

/** How a legacy call ended, for the migration's view of who still calls v1. */
export type Outcome = "ordered" | "read" | "refused_by_validation" | "refused_by_v2" | "failed_upstream";

/** A refusal is v2's when v2 was asked; every other refusal (fields, credentials, format) is the shim's own. */
export function outcomeOf(record: Pick<RequestRecord, "status" | "v2_status">): Outcome {
  if (record.status >= 500) return "failed_upstream";
  if (record.status >= 400) return record.v2_status === undefined ? "refused_by_validation" : "refused_by_v2";
  return record.status === 201 ? "ordered" : "read";
}

/** Times are kept as epoch milliseconds and written as ISO dates only in the report, not on every request. */
interface ClientEntry {
  account_id: string;
  user_agent: string;
  first_seen: number;
  last_seen: number;
  counts: Record<Outcome, number>;
}

const OTHERS = "(others)";
const clip = (text: string | undefined, max: number) => (text ?? "(none)").slice(0, max);

/**
 * Who still calls v1, per legacy account id and User-Agent, since start. Memory
 * is bounded however many distinct agents call: past `maxClients` pairs, new
 * ones are counted together under "(others)".
 */
export class ClientUsage {
  readonly #since: number;
  readonly #clients = new Map<string, ClientEntry>();

  constructor(
    private readonly maxClients = 1_000,
    private readonly now: () => number = () => Date.now(),
  ) {
    this.#since = now();
  }

  /** An observer of answered requests; the shim's own endpoints are not legacy calls. */
  readonly record = (record: RequestRecord): void => {
    // A request its client gave up on before sending it whole is no call to count.
    if (isShimEndpoint(record.path) || record.status === CLIENT_CLOSED_REQUEST) return;
    let accountId = clip(record.account_id, 64);
    let userAgent = clip(record.user_agent, 256);
    let key = `${accountId}\u0000${userAgent}`;
    if (!this.#clients.has(key) && this.#clients.size >= this.maxClients) [accountId, userAgent, key] = [OTHERS, OTHERS, OTHERS];
    const at = this.now();
    const entry = this.#clients.get(key) ?? {
      account_id: accountId,
      user_agent: userAgent,
      first_seen: at,
      last_seen: at,
      counts: { ordered: 0, read: 0, refused_by_validation: 0, refused_by_v2: 0, failed_upstream: 0 },
    };
    entry.last_seen = at;
    entry.counts[outcomeOf(record)]++;
    this.#clients.set(key, entry);
  };

  /** The most recently seen first. */
  report() {
    const iso = (ms: number) => new Date(ms).toISOString();
    const clients = [...this.#clients.values()]
      .sort((a, b) => b.last_seen - a.last_seen)
      .map((client) => ({ ...client, first_seen: iso(client.first_seen), last_seen: iso(client.last_seen) }));
    return { since: iso(this.#since), clients };
  }
}
