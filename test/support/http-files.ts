import { readFileSync } from "node:fs";
import { request } from "undici";
import type { InProcessShim } from "./shim.js";

/** An HTTP message as the legacy docs print one: start line, headers, blank line, body. */
export interface HttpMessage {
  startLine: string;
  headers: [string, string][];
  body: string;
}

/** The body is everything after the blank line, less the file's final newline. */
export function parseHttpMessage(text: string): HttpMessage {
  const lines = text.replace(/\n$/, "").split("\n");
  const blank = lines.indexOf("");
  const head = blank === -1 ? lines : lines.slice(0, blank);
  const [startLine = "", ...headerLines] = head;
  const headers = headerLines.map((line): [string, string] => {
    const colon = line.indexOf(":");
    return [line.slice(0, colon).trim(), line.slice(colon + 1).trim()];
  });
  return { startLine, headers, body: blank === -1 ? "" : lines.slice(blank + 1).join("\n") };
}

export interface HttpAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/** Sends the request exactly as written: its method, path, headers (Content-Length included) and body. */
export async function sendHttpMessage(baseUrl: string, message: HttpMessage): Promise<HttpAnswer> {
  const [method = "GET", path = "/"] = message.startLine.split(" ");
  const response = await request(baseUrl + path, {
    method,
    headers: message.headers.flat(),
    body: message.body === "" ? null : message.body,
  });
  return { status: response.statusCode, headers: response.headers, text: await response.body.text() };
}

/** A GET of `path` with these headers and no body, to send either way. */
export const getMessage = (path: string, headers: Record<string, string> = {}): HttpMessage => ({
  startLine: `GET ${path}`,
  headers: Object.entries(headers),
  body: "",
});

/** The same, to a shim in process (support/shim.ts `inProcessShim`): no socket between. */
export async function sendInProcess(shim: Pick<InProcessShim, "request">, message: HttpMessage): Promise<HttpAnswer> {
  const [method = "GET", path = "/"] = message.startLine.split(" ");
  const response = await shim.request(path, { method, headers: message.headers, body: message.body === "" ? null : message.body });
  return { status: response.status, headers: Object.fromEntries(response.headers), text: await response.text() };
}

/** A request from the fixtures, by default the seed's sample order exactly as the legacy page prints it. */
export function orderRequest(fixture = "seed-sample-json"): HttpMessage {
  return parseHttpMessage(readFileSync(new URL(`../fixtures/order-code/${fixture}/v1-request.http`, import.meta.url), "utf8"));
}

/** The `Authorization` value a legacy client sends: Basic `account_id:api_key`. */
export const basicAuth = (accountId: string, apiKey: string): string => `Basic ${Buffer.from(`${accountId}:${apiKey}`).toString("base64")}`;
