import { STATUS_CODES } from "node:http";
import { SHIM_VERSION } from "../contract/version.js";
import type { CapturedV2Call, CaptureRecord } from "./record.js";

// HAR 1.2 (http://www.softwareishard.com/blog/har-12-spec/), so that any HTTP
// tool (a browser's network panel, Fiddler, Charles, Insomnia, Playwright) opens
// a capture. Each legacy request is an entry, and each v2 call it made another,
// in the order they began. The shim's own URL is not known to it: the legacy
// requests are written as sent to http://v1-shim.invalid. Fields of the shim's
// own begin with an underscore, as HAR allows.

const LEGACY_ORIGIN = "http://v1-shim.invalid";
const SANDBOX_V2 = "https://sandbox.v1-shim.invalid/services/v2";

interface HarHeader {
  name: string;
  value: string;
}

const headerList = (headers: Readonly<Record<string, string>>): HarHeader[] =>
  Object.entries(headers).map(([name, value]) => ({ name, value }));

const mimeOf = (headers: Readonly<Record<string, string>>) =>
  Object.entries(headers).find(([name]) => name.toLowerCase() === "content-type")?.[1] ?? "";

function queryString(url: URL): HarHeader[] {
  return [...url.searchParams].map(([name, value]) => ({ name, value }));
}

function legacyEntry(record: CaptureRecord) {
  const { request, answer } = record;
  const url = new URL(request.target.startsWith("/") ? LEGACY_ORIGIN + request.target : request.target);
  const body = request.body;
  const text = body.as === "text" ? body.text : body.as === "base64" ? Buffer.from(body.base64, "base64").toString("latin1") : undefined;
  return {
    startedDateTime: record.at,
    time: record.duration_ms,
    request: {
      method: request.method,
      url: url.href,
      httpVersion: "HTTP/1.1",
      cookies: [],
      headers: headerList(request.headers),
      queryString: queryString(url),
      ...(text === undefined ? {} : { postData: { mimeType: mimeOf(request.headers), text } }),
      headersSize: -1,
      bodySize: text === undefined ? (body.as === "unread" ? (body.length ?? -1) : 0) : Buffer.byteLength(text),
    },
    response: {
      status: answer.status,
      statusText: STATUS_CODES[answer.status] ?? "",
      httpVersion: "HTTP/1.1",
      cookies: [],
      headers: headerList(answer.headers),
      content: { size: Buffer.byteLength(answer.body), mimeType: mimeOf(answer.headers), text: answer.body },
      redirectURL: "",
      headersSize: -1,
      bodySize: Buffer.byteLength(answer.body),
    },
    cache: {},
    timings: { send: 0, wait: record.duration_ms, receive: 0 },
    _req_id: record.req_id,
    _account_id: record.account_id,
    _credentials: record.credentials,
    _log: record.log,
  };
}

function v2Entry(record: CaptureRecord, call: CapturedV2Call) {
  const base = record.shim.v2 === "sandbox" ? SANDBOX_V2 : record.shim.v2.replace(/\/+$/, "");
  const url = new URL(base + call.path);
  const sent = call.body === undefined ? undefined : typeof call.body === "string" ? call.body : JSON.stringify(call.body);
  const { answer } = call;
  const answered = "no_answer" in answer ? undefined : (answer.text ?? (answer.body === undefined ? "" : JSON.stringify(answer.body)));
  return {
    startedDateTime: new Date(Date.parse(record.at) + call.after_ms).toISOString(),
    time: call.ms,
    request: {
      method: call.method,
      url: url.href,
      httpVersion: "HTTP/1.1",
      cookies: [],
      // The key the call carried (X-DC-DEVKEY) is never captured.
      headers: sent === undefined ? [] : [{ name: "Content-Type", value: "application/json" }],
      queryString: queryString(url),
      ...(sent === undefined ? {} : { postData: { mimeType: "application/json", text: sent } }),
      headersSize: -1,
      bodySize: sent === undefined ? 0 : Buffer.byteLength(sent),
    },
    response: {
      status: "no_answer" in answer ? 0 : answer.status,
      statusText: "no_answer" in answer ? "" : (STATUS_CODES[answer.status] ?? ""),
      httpVersion: "HTTP/1.1",
      cookies: [],
      headers: "no_answer" in answer ? [] : headerList(answer.headers),
      content: { size: answered === undefined ? 0 : Buffer.byteLength(answered), mimeType: "application/json", text: answered ?? "" },
      redirectURL: "",
      headersSize: -1,
      bodySize: answered === undefined ? -1 : Buffer.byteLength(answered),
      ...("no_answer" in answer ? { _error: answer.no_answer } : {}),
    },
    cache: {},
    timings: { send: 0, wait: call.ms, receive: 0 },
    _req_id: record.req_id,
    _v2_call: call.call,
  };
}

/** The records as one HAR 1.2 log. */
export function harOf(records: readonly CaptureRecord[]) {
  return {
    log: {
      version: "1.2",
      creator: { name: "digicert-v1-shim", version: SHIM_VERSION },
      entries: records.flatMap((record) => [legacyEntry(record), ...record.v2.map((call) => v2Entry(record, call))]),
    },
  };
}
