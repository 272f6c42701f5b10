import { XMLParser } from "fast-xml-parser";
import type { CaptureRecord } from "../capture/record.js";
import { type Difference, jsonDifferences, jsonObjectSchema, orderBodyDifferences } from "./payload-diff.js";

/** One v2 call as replay compares it. */
export interface ComparedV2Call {
  call: string;
  method: string;
  path: string;
  body?: unknown;
}

/** What one side of a replay saw: the v2 calls (undefined when replay cannot see them), and the v1 answer. */
export interface Exchange {
  v2: readonly ComparedV2Call[] | undefined;
  answer: { status: number; headers: Readonly<Record<string, string | string[] | undefined>>; body: string };
}

/** One field that changed, named as the report groups it (`v2 create_order: certificate.server_platform.id`). */
export interface FieldChange {
  field: string;
  was: unknown;
  now: unknown;
}

/**
 * The v1 answer headers compared; the others are the connection's, fresh for every request, or the
 * migration plan's (Deprecation, Sunset, Link), which say what the plan holds at the moment.
 */
const COMPARED_HEADERS = ["content-type", "allow", "www-authenticate", "retry-after", "etag"];

/**
 * Records replay does not send, by the v1 error code the shim answered them
 * with: answers to the moment's conditions, which a replay does not recreate.
 */
const MOMENT_CODES: Readonly<Record<string, string>> = {
  shutting_down: "answered while the shim was draining",
  state_unavailable: "answered while the state store was down",
  rate_limited: "held back by the shim's own pacing",
  too_busy: "answered while credential checks were busy",
  too_many_failed_logins: "answered under the failed-login limits",
  migration_brownout: "refused by a brownout of the migration plan",
  sunset: "refused past the account's sunset in the migration plan",
};

/** What replay ignores or leaves out, and why: `v1-shim replay --explain` prints these. */
export const REPLAY_RULES: readonly { rule: string; why: string }[] = [
  {
    rule: "alternative_order_id is not compared, in the v2 order's body nor in the look-up's path",
    why: "the shim makes a new one for every order",
  },
  {
    rule: "the order of organization.contacts is not compared: contacts are named by their contact_type",
    why: "v2 tells them apart by their type",
  },
  {
    rule: `of the v1 answer's headers, only ${COMPARED_HEADERS.join(", ")} are compared`,
    why: "X-Request-Id (the request id) is made fresh for every request; Date, Content-Length, Connection and Keep-Alive belong to the connection; Deprecation, Sunset and Link say what the migration plan holds at the moment",
  },
  {
    rule: "the candidate runs without a migration plan (SHIM_MIGRATION_PLAN_FILE, SHIM_DEPRECATION_DATE, SHIM_SUNSET_DATE and SHIM_MIGRATION_URL are not passed on)",
    why: "a plan judges each call at the time it is made: replayed at another time, the same call meets another stage",
  },
  {
    rule: "the headers of v2 calls are not compared",
    why: "no key is ever captured: replay sends made-up credentials, and v2 receives those",
  },
  {
    rule: "v2 answers as the capture recorded them, each call answered by the next recorded call of its kind; a call that got no answer then gets a dropped connection now, and why it got none (refused, reset, timed out) is not compared",
    why: "so that order ids, statuses and dates in the v1 answers come out as they did, and are compared as values; replay cannot refuse or time out one call",
  },
  {
    rule: "with --url and without --v2-port, v2 calls are not compared, order_id only by its form (a number or a padded string), and ETag not at all",
    why: "the shim at the URL asks its own v2, whose orders are not the capture's",
  },
  {
    rule: "not replayed: a request the shim answered as a client's retry of an earlier order (its log's replayed_from); the candidate runs with SHIM_RETRY_WINDOW_MS=0",
    why: "replay sends hours of traffic in moments: with the window on, orders that clients sent apart would become retries of each other, and an identical order sent on purpose is common in real traffic",
  },
  {
    rule: `not replayed: a request the client left before it arrived (499), one that timed out (408), and those ${Object.entries(
      MOMENT_CODES,
    )
      .map(([code, why]) => `${why} (${code})`)
      .join(", ")}`,
    why: "they answer the moment's conditions, which a replay does not recreate",
  },
];

/** Why a record is not replayed, or undefined when it is. */
export function notReplayed(record: CaptureRecord): string | undefined {
  if (record.log.replayed_from) return "a client's retry, answered with an earlier order";
  if (record.answer.status === 499) return "the client left before its request arrived";
  if (record.answer.status === 408) return "the request did not arrive in time";
  const code = record.log.errors?.find((error) => error in MOMENT_CODES);
  return code && MOMENT_CODES[code];
}

/** Every field in which `now` differs from `then`, as the rules above compare them. */
export function exchangeChanges(was: Exchange, now: Exchange, options: { seeV2: boolean }): FieldChange[] {
  const changes: FieldChange[] = [];
  if (options.seeV2 && was.v2 && now.v2) changes.push(...v2Changes(was.v2, now.v2));
  if (was.answer.status !== now.answer.status) changes.push({ field: "v1 status", was: was.answer.status, now: now.answer.status });
  for (const name of COMPARED_HEADERS) {
    if (name === "etag" && !options.seeV2) continue;
    const before = headerOf(was.answer.headers, name);
    const after = headerOf(now.answer.headers, name);
    if (before !== after) changes.push({ field: `v1 header ${name}`, was: before, now: after });
  }
  changes.push(...bodyChanges(was.answer, now.answer, options.seeV2));
  return changes;
}

function v2Changes(was: readonly ComparedV2Call[], now: readonly ComparedV2Call[]): FieldChange[] {
  const changes: FieldChange[] = [];
  const sequence = (calls: readonly ComparedV2Call[]) => calls.map((c) => c.call).join(", ");
  if (sequence(was) !== sequence(now)) changes.push({ field: "v2 calls", was: sequence(was) || "none", now: sequence(now) || "none" });
  // The n-th call of a kind then against the n-th of that kind now: a call added or lost is the sequence's change above.
  const seen = new Map<string, number>();
  for (const before of was) {
    const nth = seen.get(before.call) ?? 0;
    seen.set(before.call, nth + 1);
    const after = now.filter((call) => call.call === before.call)[nth];
    if (!after) continue;
    const field = (name: string) => `v2 ${before.call}: ${name}`;
    // A look-up's path is its alternative_order_id: new for every order.
    if (before.call !== "find_by_alternative_id" && before.path !== after.path) {
      changes.push({ field: field("path"), was: before.path, now: after.path });
    }
    const bodies = [jsonObjectSchema.safeParse(before.body), jsonObjectSchema.safeParse(after.body)] as const;
    const differences: Difference[] =
      bodies[0].success && bodies[1].success
        ? orderBodyDifferences(bodies[0].data, bodies[1].data)
        : jsonDifferences(before.body, after.body, "body");
    for (const { path, shim, yours } of differences) changes.push({ field: field(path), was: shim, now: yours });
  }
  return unique(changes);
}

/** A field once per request: an order sent three times differs thrice in the same way. */
function unique(changes: FieldChange[]): FieldChange[] {
  const fields = new Set<string>();
  return changes.filter(({ field }) => !fields.has(field) && fields.add(field));
}

const headerOf = (headers: Exchange["answer"]["headers"], name: string): string | undefined => {
  const value = Object.entries(headers).find(([key]) => key.toLowerCase() === name)?.[1];
  return Array.isArray(value) ? value.join(", ") : value;
};

const xml = new XMLParser({ ignoreAttributes: true, parseTagValue: false, trimValues: false });

/** A v1 body as data: JSON or XML by its Content-Type; undefined when it reads as neither. */
function bodyData(answer: Exchange["answer"]): unknown {
  if (answer.body === "") return undefined;
  const type = headerOf(answer.headers, "content-type") ?? "";
  try {
    if (/json/i.test(type)) return JSON.parse(answer.body);
    // Blanks between elements are layout, not data.
    if (/xml/i.test(type)) return xml.parse(answer.body.replace(/>\s+</g, "><"), true);
  } catch {
    // Compared as text below.
  }
  return undefined;
}

function bodyChanges(was: Exchange["answer"], now: Exchange["answer"], seeV2: boolean): FieldChange[] {
  const [before, after] = [bodyData(was), bodyData(now)];
  if (before === undefined || after === undefined) {
    return was.body === now.body ? [] : [{ field: "v1 body", was: was.body, now: now.body }];
  }
  const [left, right] = seeV2 ? [before, after] : [orderIdForms(before), orderIdForms(after)];
  const changes = jsonDifferences(left, right).map(({ path, shim, yours }) => ({ field: `v1 body: ${path}`, was: shim, now: yours }));
  // XML read as data loses the elements' order, which a client reading them one after another depends on.
  const [order, nowOrder] = [elementOrder(was), elementOrder(now)];
  if (changes.length === 0 && order !== nowOrder) changes.push({ field: "v1 body: element order", was: order, now: nowOrder });
  return changes;
}

/** `response, order_id`: an XML body's elements in document order; empty for JSON. */
const elementOrder = (answer: Exchange["answer"]): string =>
  /xml/i.test(headerOf(answer.headers, "content-type") ?? "")
    ? [...answer.body.matchAll(/<([A-Za-z_][\w.:-]*)/g)].map((m) => m[1]).join(", ")
    : "";

/** Every order_id as its form alone: a number, or zero-padded digits (`00222307`, SHIM_ORDER_ID_FORMAT=padded). */
const orderIdForms = (value: unknown): unknown =>
  JSON.parse(JSON.stringify(value), (key, inner: unknown) =>
    key !== "order_id" ? inner : typeof inner === "string" && inner.startsWith("0") ? "<padded digits>" : "<a number>",
  );
