import { STATUS_CODES } from "node:http";
import { hashKey } from "../accounts/key-hash.js";
import { authorizationFor, bodyToSend, type CapturedV2Call, type CaptureRecord } from "../capture/record.js";
import { Exit } from "./exit.js";

// `v1-shim capture-to-fixture`: one captured request as a case of
// test/fixtures (the files test/fixtures.test.ts reads), so that a real client's
// odd request becomes a regression test. No credential was captured: the case
// sends made-up ones that do what the captured ones did.

/** The legacy key a case sends, and in accounts mode the v2 key its account orders with. */
export const FIXTURE_KEY = "captured-key";
const FIXTURE_V2_KEY = "captured-v2-key";
const FIXTURE_V2_KEY_VARIABLE = "FIXTURE_V2_KEY";
/** The fixtures' placeholder for the id the shim makes for each order. */
const ALTERNATIVE_ORDER_ID = "<alternative_order_id>";

/** The v1 answer headers a case holds the shim to, besides Content-Type: those a client acts on. */
const ANSWER_HEADERS = ["allow", "www-authenticate", "retry-after", "deprecation", "sunset", "link"];

/** What the fixtures' fake v2 takes (test/support/fake-v2.ts): the kind of call each scripted answer is for. */
const SCRIPTED_KIND: Readonly<Record<CapturedV2Call["call"], string>> = {
  create_order: "order",
  find_by_alternative_id: "lookup",
  get_order: "info",
  other: "path",
};

/** The group of test/fixtures a request belongs to. */
export function fixtureGroup(record: CaptureRecord): "order-code" | "order-details" | "methods" {
  const path = record.request.target.replace(/[?#].*$/, "");
  if (record.request.method === "POST" && path.endsWith("/order/code") && !record.request.headers["x-http-method-override"]) {
    return "order-code";
  }
  if (["GET", "HEAD"].includes(record.request.method) && /\/order\/\d+$/.test(path)) return "order-details";
  return "methods";
}

/** `Content-Type`, `X-Http-Method-Override`: a header's name as the fixtures write them. */
const titled = (name: string) => name.replace(/(^|-)([a-z])/g, (_, dash: string, letter: string) => dash + letter.toUpperCase());

/** The case's files, by name, for a record; `accountsFile` is where its accounts file will be, as the fixtures' working directory sees it. */
export async function fixtureFiles(record: CaptureRecord, accountsFile: string): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  const accounts = record.shim.mode === "accounts";
  const env: Record<string, string> = {};
  if (record.shim.order_id_format === "padded") env.SHIM_ORDER_ID_FORMAT = "padded";
  if (accounts) {
    files["accounts.json"] = json({ accounts: [await accountEntry(record)] });
    Object.assign(env, { SHIM_ACCOUNTS_FILE: accountsFile, [FIXTURE_V2_KEY_VARIABLE]: FIXTURE_V2_KEY });
  }
  files["v1-request.http"] = v1Request(record);
  if (record.v2.length > 0) {
    const withPlaceholders = (value: unknown) => JSON.parse(placeholders(JSON.stringify(value), record));
    const key = accounts ? FIXTURE_V2_KEY : FIXTURE_KEY;
    files["v2-request.json"] = json(
      record.v2.map((call) => ({
        method: call.method,
        path: withPlaceholders(call.path),
        headers: call.body === undefined ? { "x-dc-devkey": key } : { "x-dc-devkey": key, "content-type": "application/json" },
        ...(call.body === undefined ? {} : { body: withPlaceholders(call.body) }),
      })),
    );
    files["v2-answer.json"] = json(record.v2.map(scriptedAnswer));
  }
  files["v1-answer.http"] = v1Answer(record);
  if (Object.keys(env).length > 0) files["shim-env.json"] = json(env);
  return files;
}

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

/** Every alternative_order_id the capture holds, as the fixtures' placeholder. */
function placeholders(text: string, record: CaptureRecord): string {
  const ids = new Set(text.match(/v1shim[0-9a-f]{32}/g) ?? []);
  if (record.log.alternative_order_id) ids.add(record.log.alternative_order_id);
  let replaced = text;
  for (const id of ids) replaced = replaced.replaceAll(id, ALTERNATIVE_ORDER_ID);
  return replaced;
}

async function accountEntry(record: CaptureRecord) {
  return {
    account_id: record.account_id ?? "000000",
    key_hash: await hashKey(FIXTURE_KEY),
    digicert_api_key_env: FIXTURE_V2_KEY_VARIABLE,
    ...record.account_mapping,
    ...(record.log.errors?.includes("account_disabled") ? { enabled: false } : {}),
  };
}

function v1Request(record: CaptureRecord): string {
  const { method, target, headers, body } = record.request;
  const lines = [`${method} ${target} HTTP/1.1`];
  const authorization = authorizationFor(record, FIXTURE_KEY);
  if (authorization) lines.push(`Authorization: ${authorization}`);
  for (const [name, value] of Object.entries(headers)) lines.push(`${titled(name)}: ${value}`);
  const text = bodyToSend(body) ?? "";
  if (typeof text !== "string") {
    throw new Exit(2, `v1-shim capture-to-fixture: request ${record.req_id}'s body is not UTF-8, which a fixture's .http file cannot hold`);
  }
  return `${lines.join("\n")}\n\n${text}\n`;
}

function v1Answer(record: CaptureRecord): string {
  const { status, headers, body } = record.answer;
  const lines = [`HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ""}`.trimEnd()];
  for (const name of ["content-type", ...ANSWER_HEADERS]) {
    if (headers[name] !== undefined) lines.push(`${titled(name)}: ${headers[name]}`);
  }
  return `${lines.join("\n")}\n\n${body}${body === "" ? "" : "\n"}`;
}

/** The fake v2's answer for a recorded call: as v2 answered it, or a dropped connection for a lost answer. */
function scriptedAnswer(call: CapturedV2Call): Record<string, unknown> {
  const kind = SCRIPTED_KIND[call.call];
  const target = kind === "path" ? { path: call.path } : { for: kind };
  if ("no_answer" in call.answer) return { ...target, drop: true };
  const { status, headers, body, text } = call.answer;
  const extra = Object.fromEntries(Object.entries(headers).filter(([name]) => name !== "content-type"));
  return {
    ...target,
    status,
    ...(Object.keys(extra).length > 0 ? { headers: extra } : {}),
    ...(text === undefined ? { body } : { text }),
  };
}
