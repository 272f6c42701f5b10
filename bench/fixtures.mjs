import { readFileSync } from "node:fs";

// The seed's sample order, read from the test fixtures so that the benchmark
// sends exactly what the tests check. test/support/http-files.ts parses these
// files too, but it is TypeScript, which plain Node 20 cannot import; this is the
// few lines of it the benchmark needs.

/** Where the load generator puts a fresh id into each request's body (autocannon's idReplacement). */
const FRESH_ID = "[<id>]";

/**
 * Headers and body of a fixture's v1-request.http: the body is everything after
 * the first blank line, less the file's final newline. Content-Length is left
 * out: the load generator sets its own.
 * @param {"json" | "xml"} format
 * @returns {{ headers: Record<string, string>, body: string }}
 */
export function seedOrderRequest(format) {
  const text = readFileSync(new URL(`../test/fixtures/order-code/seed-sample-${format}/v1-request.http`, import.meta.url), "utf8");
  const blank = text.indexOf("\n\n");
  if (blank === -1) throw new Error(`seed-sample-${format}/v1-request.http has no body`);
  const [, ...headerLines] = text.slice(0, blank).split("\n");
  /** @type {Record<string, string>} */
  const headers = {};
  for (const line of headerLines) {
    const colon = line.indexOf(":");
    const name = line.slice(0, colon).trim();
    if (name.toLowerCase() !== "content-length") headers[name] = line.slice(colon + 1).trim();
  }
  return { headers, body: text.slice(blank + 2).replace(/\n$/, "") };
}

/**
 * The seed order as a load sends it: the contact's first name carries a fresh id
 * in every request, so that each is a new order to the shim (an identical one
 * inside the retry window would be answered as a retry of the first, and cost
 * nothing), as each is to the peers.
 * @param {"json" | "xml"} format
 * @returns {{ headers: Record<string, string>, body: string, idReplacement: true }}
 */
export function variedOrderRequest(format) {
  const { headers, body } = seedOrderRequest(format);
  const varied = body.replace(/(org_contact_firstname(?:": "|>))Gary/, `$1Gary${FRESH_ID}`);
  if (varied === body) throw new Error(`seed-sample-${format}: no org_contact_firstname of Gary to vary`);
  return { headers, body: varied, idReplacement: true };
}
