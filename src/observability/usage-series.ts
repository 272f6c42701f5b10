import type { HourCount } from "../state/store.js";

// What the clients view counts per hour, for the dashboard's windows, chart and
// error tables. A series is a JSON array, so that no user agent can forge another
// series by holding a separator, and every backend stores it as plain text. In
// memory, a request's series are found by their fields, the JSON built once per
// series and hour: each request counts several.

export const HOUR_MS = 3_600_000;

export const PATHS = ["orders", "reads", "translate", "other"] as const;
/** Which of the shim's paths a call took: orders, order details, the translate endpoint, or anything else. */
export type PathKind = (typeof PATHS)[number];

/** One legacy call: who made it and how it ended (an Outcome). */
export type Series =
  | { kind: "call"; account_id: string; user_agent: string; outcome: string }
  /** A v1 error code the shim answered, with the status it answered. */
  | { kind: "v1_error"; code: string; status: number }
  /** One request answered with codes of this family (`required_param:*`, or a code without a field), whatever their number. */
  | { kind: "v1_family"; family: string; status: number }
  /** What v2 answered (its status, or why there was none) behind an upstream refusal, and the code carried. */
  | { kind: "v2_error"; v2_status: string; code: string }
  /** A client's retry answered with the earlier placement of the same order (its record carries `replayed_from`). */
  | { kind: "replayed"; account_id: string; user_agent: string }
  /** One call of an account on one path; the translate endpoint's calls are counted here only. */
  | { kind: "path"; account_id: string; path: PathKind }
  /** One order of an account that took a time in `bucket` (latencyBucketOf). */
  | { kind: "order_latency"; account_id: string; bucket: number };

/** Each kind's fields, in the order its name holds them. */
const FIELDS = {
  call: ["account_id", "user_agent", "outcome"],
  v1_error: ["code", "status"],
  v1_family: ["family", "status"],
  v2_error: ["v2_status", "code"],
  replayed: ["account_id", "user_agent"],
  path: ["account_id", "path"],
  order_latency: ["account_id", "bucket"],
} as const satisfies { [K in Series["kind"]]: readonly Exclude<keyof Extract<Series, { kind: K }>, "kind">[] };

const fieldsOf = (series: Series): (string | number)[] =>
  FIELDS[series.kind].map((field) => (series as unknown as Record<string, string | number>)[field]!);

export const seriesName = (series: Series): string => JSON.stringify([series.kind, ...fieldsOf(series)]);

/** The series a name stands for; undefined for the others' series and anything not written by seriesName. */
export function readSeries(name: string): Series | undefined {
  let parts: unknown;
  try {
    parts = JSON.parse(name);
  } catch {
    return undefined;
  }
  if (!Array.isArray(parts)) return undefined;
  const [kind, a, b, c] = parts as unknown[];
  if (kind === "call" && typeof a === "string" && typeof b === "string" && typeof c === "string") {
    return { kind, account_id: a, user_agent: b, outcome: c };
  }
  if (kind === "v1_error" && typeof a === "string" && typeof b === "number") return { kind, code: a, status: b };
  if (kind === "v1_family" && typeof a === "string" && typeof b === "number") return { kind, family: a, status: b };
  if (kind === "v2_error" && typeof a === "string" && typeof b === "string") return { kind, v2_status: a, code: b };
  if (kind === "replayed" && typeof a === "string" && typeof b === "string") return { kind, account_id: a, user_agent: b };
  if (kind === "path" && typeof a === "string" && (PATHS as readonly unknown[]).includes(b))
    return { kind, account_id: a, path: b as PathKind };
  if (kind === "order_latency" && typeof a === "string" && Number.isInteger(b) && (b as number) >= 0 && (b as number) < LATENCY_BUCKETS) {
    return { kind, account_id: a, bucket: b as number };
  }
  return undefined;
}

/** The family a v1 error code belongs to: `required_param:*` for `required_param:org_name`; a code without a field is its own. */
export const familyOf = (code: string): string => (code.includes(":") ? `${code.slice(0, code.indexOf(":"))}:*` : code);

// Order latencies, counted per account and hour in fixed log-spaced buckets, four to
// each doubling (each bucket 19 % wider than the one before): a percentile read from
// them is within a bucket's width of the true one, whatever the traffic, and an
// account's orders in one hour take a handful of series, not one per order.
const BUCKETS_PER_DOUBLING = 4;
/** The last bucket but one ends at 2^18 ms (4 min 22 s); the last holds every longer time. */
const LAST_BUCKET = 18 * BUCKETS_PER_DOUBLING + 1;
export const LATENCY_BUCKETS = LAST_BUCKET + 1;

/** The bucket of a time in ms: 0 holds up to 1 ms, bucket i (2^((i-1)/4), 2^(i/4)] ms. */
export const latencyBucketOf = (ms: number): number =>
  ms <= 1 ? 0 : Math.min(LAST_BUCKET, Math.ceil(BUCKETS_PER_DOUBLING * Math.log2(ms) - 1e-9));

/** The times a bucket holds, in ms: above `low`, up to `high` (Infinity for the last). */
export function latencyBucketBounds(bucket: number): { low: number; high: number } {
  const bound = (i: number) => 2 ** (i / BUCKETS_PER_DOUBLING);
  if (bucket <= 0) return { low: 0, high: 1 };
  return { low: bound(bucket - 1), high: bucket >= LAST_BUCKET ? Number.POSITIVE_INFINITY : bound(bucket) };
}

/** The series counted together once an hour holds too many. */
export const OTHER_SERIES = JSON.stringify(["others"]);

export const hourOf = (ms: number): number => ms - (ms % HOUR_MS);

/** Counts of one hour by kind, then by each field in turn: a request's series found without building a string. */
type Trie = Map<string | number, Trie | HourCount>;

/** Counts per hour and series, kept in memory until they are written; bounded, the rest counted as the others. */
export class HourTally {
  #hours = new Map<number, Trie>();
  #entries: HourCount[] = [];

  constructor(private readonly maxSeries: number) {}

  add(at: number, series: Series): void {
    this.#count(hourOf(at), series, 1, true);
  }

  /** Adds `n` to a series (undefined: the others) in `hour`; a new one past the bound, when `bounded`, to the others. */
  #count(hour: number, series: Series | undefined, n: number, bounded: boolean): void {
    let node = this.#hours.get(hour);
    if (!node) {
      node = new Map();
      this.#hours.set(hour, node);
    }
    const fields: readonly string[] = series ? FIELDS[series.kind] : [];
    let key: string | number = series ? series.kind : OTHER_SERIES;
    for (const field of fields) {
      let next = node.get(key) as Trie | undefined;
      if (!next) {
        next = new Map();
        node.set(key, next);
      }
      node = next;
      key = (series as unknown as Record<string, string | number>)[field]!;
    }
    let entry = node.get(key) as HourCount | undefined;
    if (!entry) {
      if (series && bounded && this.#entries.length >= this.maxSeries) {
        this.#count(hour, undefined, n, bounded);
        return;
      }
      entry = { hour, series: series ? seriesName(series) : OTHER_SERIES, count: 0 };
      node.set(key, entry);
      this.#entries.push(entry);
    }
    entry.count += n;
  }

  /** Everything counted so far, and a fresh start. */
  take(): HourCount[] {
    const counts = this.#entries;
    this.#hours = new Map();
    this.#entries = [];
    return counts;
  }

  /** Counts that could not be written, kept for the next time, whatever the bound. */
  putBack(counts: readonly HourCount[]): void {
    for (const c of counts) this.#count(c.hour, readSeries(c.series), c.count, false);
  }
}
