/** At most `limit` calls in any `windowMs`: one rolling window of a rate limit. */
export interface RateWindow {
  limit: number;
  windowMs: number;
}
