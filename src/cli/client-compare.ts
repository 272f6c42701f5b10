import { z } from "zod";
import type { CaptureRecord } from "../capture/record.js";
import { type Difference, describeDifference, type JsonObject, jsonObjectSchema, payloadDifferences } from "./payload-diff.js";

// `v1-shim replay --compare RECORDING CAPTURES`: the v2 orders a hand-migrated
// client made (a HAR, or JSON lines), each matched to the order the shim made for
// the same content, and what the client orders differently.

/** An order the migrated client sent: where in the recording, and the request. */
export interface ClientOrder {
  where: string;
  method: string;
  path: string;
  body: JsonObject;
}

/** An order the shim sent v2, from a capture. */
interface ShimOrder {
  req_id: string;
  method: string;
  path: string;
  body: JsonObject;
}

const ORDER_PATH = /\/order\/certificate\/([\w-]+)\/?$/;

const harSchema = z.object({
  log: z.object({
    entries: z.array(
      z.object({
        request: z.object({ method: z.string(), url: z.string(), postData: z.object({ text: z.string().optional() }).optional() }),
      }),
    ),
  }),
});

/** A line of JSON lines: a request as `v1-shim translate` prints one (or with `url`), or a bare order body. */
const requestLineSchema = z.object({
  method: z.string().optional(),
  url: z.string().optional(),
  path: z.string().optional(),
  body: z.unknown(),
});
const REQUEST_KEYS = ["method", "url", "path", "body"];

/** A line as a request: as written when it names any of a request's keys, else a bare body, POSTed. */
function requestLine(json: unknown): z.infer<typeof requestLineSchema> | undefined {
  const object = jsonObjectSchema.safeParse(json);
  if (!object.success) return undefined;
  if (!REQUEST_KEYS.some((key) => key in object.data)) return { body: object.data };
  const request = requestLineSchema.safeParse(object.data);
  return request.success ? request.data : undefined;
}

/** The v2 path below the base, from a URL or a path: `/order/certificate/code_signing`. */
function orderPath(where: string): string | undefined {
  const path = where.replace(/^https?:\/\/[^/]+/, "").replace(/[?#].*$/, "");
  const product = ORDER_PATH.exec(path)?.[1];
  return product === undefined ? undefined : `/order/certificate/${product}`;
}

/** An order body, whether given as JSON or as its text. */
function orderBody(value: unknown): JsonObject | undefined {
  let json = value;
  if (typeof value === "string") {
    try {
      json = JSON.parse(value);
    } catch {
      return undefined;
    }
  }
  const body = jsonObjectSchema.safeParse(json);
  return body.success ? body.data : undefined;
}

/** The orders a recording holds; other requests (look-ups, reads) are not orders and are passed over. */
export function recordedOrders(text: string): { orders: ClientOrder[]; unreadable: string[] } {
  const orders: ClientOrder[] = [];
  const unreadable: string[] = [];
  let har: z.infer<typeof harSchema> | undefined;
  try {
    const whole = harSchema.safeParse(JSON.parse(text));
    if (whole.success) har = whole.data;
  } catch {
    // Not one JSON document: JSON lines.
  }
  if (har) {
    har.log.entries.forEach(({ request }, index) => {
      const path = orderPath(request.url);
      if (request.method.toUpperCase() !== "POST" || path === undefined) return;
      const body = orderBody(request.postData?.text);
      if (body) orders.push({ where: `entry ${index + 1}`, method: "POST", path, body });
      else unreadable.push(`entry ${index + 1}`);
    });
    return { orders, unreadable };
  }
  text.split("\n").forEach((line, index) => {
    if (line.trim() === "") return;
    const where = `line ${index + 1}`;
    let parsed: z.infer<typeof requestLineSchema> | undefined;
    try {
      parsed = requestLine(JSON.parse(line));
    } catch {
      // Counted below.
    }
    if (!parsed) {
      unreadable.push(where);
      return;
    }
    const method = (parsed.method ?? "POST").toUpperCase();
    const named = parsed.path ?? parsed.url;
    const path = named === undefined ? undefined : orderPath(named);
    if (method !== "POST" || (named !== undefined && path === undefined)) return;
    const body = orderBody(parsed.body);
    if (body) orders.push({ where, method, path: path ?? "", body });
    else unreadable.push(where);
  });
  return { orders, unreadable };
}

/** Each captured request's order: what it sent v2 last (a re-send is the same order). */
export function capturedOrders(records: readonly CaptureRecord[]): ShimOrder[] {
  return records.flatMap((record) => {
    const sent = record.v2.filter((call) => call.call === "create_order").at(-1);
    const body = sent && orderBody(sent.body);
    return sent && body ? [{ req_id: record.req_id, method: sent.method, path: sent.path, body }] : [];
  });
}

export interface ClientChange {
  field: string;
  orders: number;
  example: { where: string; req_id: string; difference: string };
}

export interface ClientReport {
  client_orders: number;
  shim_orders: number;
  same: number;
  different: number;
  /** Client orders no shim order is like: where, and the share of fields the likest has the same (0 to 1). */
  unmatched: { where: string; nearest_alike: number | null }[];
  changes: ClientChange[];
}

/** The fields a JSON value holds: 1 for a value, those of its parts for an object or a list, none for nothing. */
const leaves = (value: unknown): number =>
  value === undefined
    ? 0
    : typeof value === "object" && value !== null
      ? Object.values(value).reduce((sum: number, inner) => sum + leaves(inner), 0)
      : 1;

/**
 * Each client order paired with the shim order most like it, closest pairs
 * first, each order once. Alike is the share of the two orders' fields that
 * are the same: a pair is "the same content" when it is half or more. A client
 * order with no such pair is reported as not matched.
 */
export function compareClientOrders(shim: readonly ShimOrder[], client: readonly ClientOrder[]): ClientReport {
  const pairs: { c: number; s: number; differences: Difference[]; alike: number }[] = [];
  client.forEach((order, c) => {
    shim.forEach((made, s) => {
      // A bare body names no product: then only the body is compared.
      const yours = order.path === "" ? { method: undefined, path: undefined, body: order.body } : order;
      const differences = payloadDifferences(made, yours);
      const theirs = differences.reduce((sum, d) => sum + leaves(d.shim), 0);
      // The alternative_order_id is not compared, so not counted either.
      const same = Math.max(0, leaves({ ...made.body, alternative_order_id: undefined }) - theirs);
      const alike = same / (same + theirs + differences.reduce((sum, d) => sum + leaves(d.yours), 0) || 1);
      pairs.push({ c, s, differences, alike });
    });
  });
  pairs.sort((a, b) => b.alike - a.alike || a.c - b.c || a.s - b.s);
  const matched = new Map<number, (typeof pairs)[number]>();
  const used = new Set<number>();
  for (const pair of pairs) {
    if (matched.has(pair.c) || used.has(pair.s) || pair.alike < 0.5) continue;
    matched.set(pair.c, pair);
    used.add(pair.s);
  }
  const report: ClientReport = {
    client_orders: client.length,
    shim_orders: shim.length,
    same: 0,
    different: 0,
    unmatched: [],
    changes: [],
  };
  const groups = new Map<string, ClientChange>();
  client.forEach((order, c) => {
    const pair = matched.get(c);
    if (!pair) {
      const nearest = pairs.find((p) => p.c === c);
      report.unmatched.push({ where: order.where, nearest_alike: nearest ? Math.round(nearest.alike * 100) / 100 : null });
      return;
    }
    if (pair.differences.length === 0) report.same += 1;
    else report.different += 1;
    for (const difference of pair.differences) {
      const group = groups.get(difference.path);
      if (group) group.orders += 1;
      else {
        const example = { where: order.where, req_id: shim[pair.s]!.req_id, difference: describeDifference(difference) };
        groups.set(difference.path, { field: difference.path, orders: 1, example });
      }
    }
  });
  report.changes = [...groups.values()].sort((a, b) => b.orders - a.orders || (a.field < b.field ? -1 : 1));
  return report;
}

export function renderClientReport(report: ClientReport, recording: string): string {
  const lines = [
    `Compared ${report.client_orders} order${plural(report.client_orders)} of the migrated client (${recording}) with the ${report.shim_orders} order${plural(report.shim_orders)} the shim sent in the captures.`,
    `Same: ${report.same}. Different: ${report.different}. Not matched: ${report.unmatched.length}.`,
  ];
  for (const { field, orders, example } of report.changes) {
    lines.push(
      "",
      `${field}: ${orders} order${plural(orders)}`,
      `  e.g. ${example.where} (the shim's req ${example.req_id}): ${example.difference}`,
    );
  }
  for (const { where, nearest_alike } of report.unmatched) {
    const nearest = nearest_alike === null ? "" : ` (the likest has ${Math.round(nearest_alike * 100)}% of its fields the same)`;
    lines.push("", `Not matched: ${where}: no order of the captures has the same content${nearest}`);
  }
  return `${lines.join("\n")}\n`;
}

const plural = (n: number) => (n === 1 ? "" : "s");
