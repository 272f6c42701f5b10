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

/** withoutKeys prepared for many texts with the same keys (each string of a capture record). */
export interface KeyScrubber {
  /** What withoutKeys gives for the text; a text that cannot hold a key is handed back unscanned again. */
  scrub(text: string): string;
  /**
   * False only when withoutKeys would take nothing out of the text, nor out of any
   * JSON string inside it: no key whole (as written, or as JSON escapes it), and
   * no run of key-like characters with six of a key's in a row.
   */
  mayHoldKey(text: string): boolean;
}

export function keyScrubber(keys: readonly string[]): KeyScrubber {
  const sought = keys.filter((key) => key.length >= SHORTEST_KEY);
  const written = [...new Set(sought.flatMap((key) => [key, JSON.stringify(key).slice(1, -1)]))];
  // Every six key-like characters in a row of a key: any run withoutKeys takes out begins with one of them,
  // and JSON writes key-like characters as they are. One pattern of them all is one native pass over a text.
  const parts = new Set<string>();
  for (const key of sought) for (let i = 0; i + SHORTEST_PART <= key.length; i++) parts.add(key.slice(i, i + SHORTEST_PART));
  const keyLike = new RegExp(`^${KEY_LIKE_RUN.source}$`);
  const sixes = [...parts].filter((part) => keyLike.test(part));
  const anyPart = sixes.length === 0 ? undefined : new RegExp(sixes.map((part) => part.replace(/[+/=]/g, "\\$&")).join("|"));
  const mayHoldKey = (text: string): boolean =>
    text.length >= SHORTEST_KEY && (written.some((key) => text.includes(key)) || anyPart?.test(text) === true);
  return { mayHoldKey, scrub: (text) => (mayHoldKey(text) ? withoutKeys(text, sought) : text) };
}
