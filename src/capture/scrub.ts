import { keyScrubber, withoutKeys } from "../mapping/redact.js";

/**
 * `value` as JSON, with every key taken out of every string in it, as the logs
 * and the v1 answers take them out (mapping/redact.ts): whole, and any run of
 * key-like characters that is part of one. Object keys are field names and stay.
 * Most records hold no key at all: one look at the whole text says so, and only
 * a record that may hold one is written again, string by string.
 */
export function scrubbedJson(value: unknown, keys: readonly string[]): string {
  // Made for each record, not kept: the shim keeps no client's key past its request.
  const scrubber = keyScrubber(keys);
  const text = JSON.stringify(value);
  if (!scrubber.mayHoldKey(text)) return text;
  return JSON.stringify(value, (_key, inner: unknown) => (typeof inner === "string" ? scrubber.scrub(inner) : inner));
}

/**
 * Bytes that are not UTF-8 (a Windows-1252 body), scrubbed as text read one
 * byte to a character: every key is ASCII, so it is found whatever the charset.
 */
export function scrubbedBytes(bytes: Uint8Array, keys: readonly string[]): Buffer {
  return Buffer.from(withoutKeys(Buffer.from(bytes).toString("latin1"), keys), "latin1");
}
