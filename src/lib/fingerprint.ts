import { createHmac } from "node:crypto";

/** JSON with every object's keys sorted: one text for one value, whatever order its fields were built in. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

/** A keyed digest of who asked and what: equal for equal requests, and telling nothing of either without the key. */
export const fingerprint = (key: string, who: string, what: unknown): string =>
  createHmac("sha256", key).update(who).update("\n").update(canonicalJson(what)).digest("base64url");
