const REDACTED = "[redacted]";
/** Shorter than this, a key is not looked for: it would take letters out of every word. */
const SHORTEST_KEY = 4;
/** Runs of key-like characters this long or longer that are part of a key count as a part of it. */
const SHORTEST_PART = 6;
const KEY_LIKE_RUN = new RegExp(`[A-Za-z0-9_+/=-]{${SHORTEST_PART},}`, "g");

/**
 * `text` with the keys taken out, each whole occurrence and any run of key-like
 * characters that is part of one (a key cut short, as in "key abc123… is invalid"):
 * v2's messages reach legacy clients, and a key must never, not even in part.
 */
export function withoutKeys(text: string, keys: readonly string[]): string {
  const sought = keys.filter((key) => key.length >= SHORTEST_KEY);
  if (sought.length === 0) return text;
  let cleaned = text;
  for (const key of sought) cleaned = cleaned.replaceAll(key, REDACTED);
  return cleaned.replace(KEY_LIKE_RUN, (run) => (sought.some((key) => key.includes(run)) ? REDACTED : run));
}
