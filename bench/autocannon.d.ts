// The part of autocannon's programmatic API the load client uses, as autocannon 9
// has it (it ships no types), so that `npm run typecheck` checks bench/ too.
declare module "autocannon" {
  import type { EventEmitter } from "node:events";

  interface Options {
    url: string;
    method?: string;
    headers?: Record<string, string>;
    body?: string;
    /** Each request's body with a fresh id where it says [<id>]. */
    idReplacement?: boolean;
    connections?: number;
    /** Seconds; ignored when `amount` is given. */
    duration?: number;
    amount?: number;
    /** Seconds. */
    timeout?: number;
  }

  interface Result {
    /** Per-second samples of completed requests. */
    requests: { average: number; total: number };
    statusCodeStats: Record<string, { count: number }>;
    non2xx: number;
    /** Socket errors, timeouts included. */
    errors: number;
    timeouts: number;
    start: Date;
    finish: Date;
  }

  interface Instance extends EventEmitter {
    on(event: "response", listener: (client: unknown, statusCode: number, resBytes: number, responseTimeMs: number) => void): this;
  }

  function autocannon(options: Options, callback: (error: Error | null, result: Result) => void): Instance;
  export default autocannon;
}
