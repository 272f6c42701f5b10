import type { HourCount } from "../state/store.js";

// What the clients view counts per hour, for the dashboard's windows, chart and
// error tables. A series is a JSON array, so that no user agent can forge another
// series by holding a separator, and every backend stores it as plain text.

export const HOUR_MS = 3_600_000;

/** One legacy call: who made it and how it ended (an Outcome). */
export type Series =
  | { kind: "call"; account_id: string; user_agent: string; outcome: string }
  /** A v1 error code the shim answered, with the status it answered. */
  | { kind: "v1_error"; code: string; status: number }
  /** What v2 answered (its status, or why there was none) behind an upstream refusal, and the code carried. */
  | { kind: "v2_error"; v2_status: string; code: string };

export function seriesName(series: Series): string {
  switch (series.kind) {
    case "call":
      return JSON.stringify(["call", series.account_id, series.user_agent, series.outcome]);
    case "v1_error":
      return JSON.stringify(["v1_error", series.code, series.status]);
    case "v2_error":
      return JSON.stringify(["v2_error", series.v2_status, series.code]);
  }
}

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
  if (kind === "v2_error" && typeof a === "string" && typeof b === "string") return { kind, v2_status: a, code: b };
  return undefined;
}

/** The series counted together once an hour holds too many. */
export const OTHER_SERIES = JSON.stringify(["others"]);

export const hourOf = (ms: number): number => ms - (ms % HOUR_MS);

/** Counts per hour and series, kept in memory until they are written; bounded, the rest counted as the others. */
export class HourTally {
  #counts = new Map<string, HourCount>();

  constructor(private readonly maxSeries: number) {}

  add(at: number, series: Series): void {
    const hour = hourOf(at);
    let name = seriesName(series);
    let key = `${hour} ${name}`;
    if (!this.#counts.has(key) && this.#counts.size >= this.maxSeries) {
      name = OTHER_SERIES;
      key = `${hour} ${name}`;
    }
    const entry = this.#counts.get(key);
    if (entry) entry.count++;
    else this.#counts.set(key, { hour, series: name, count: 1 });
  }

  /** Everything counted so far, and a fresh start. */
  take(): HourCount[] {
    const counts = [...this.#counts.values()];
    this.#counts = new Map();
    return counts;
  }

  /** Counts that could not be written, kept for the next time. */
  putBack(counts: readonly HourCount[]): void {
    for (const c of counts) {
      const key = `${c.hour} ${c.series}`;
      const entry = this.#counts.get(key);
      if (entry) entry.count += c.count;
      else this.#counts.set(key, { ...c });
    }
  }
}
