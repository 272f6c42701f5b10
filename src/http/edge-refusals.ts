import type { IncomingMessage, RequestListener, ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import { type V1Error, v1Errors } from "../contract/v1-errors.js";
import type { Logger } from "../observability/log.js";
import { type AlwaysHeaders, rawV1Error, v1ErrorAnswer } from "./render.js";

// What Node and @hono/node-server answer themselves, below the app, with a bare
// status and no log line (an unreadable Host or target, OPTIONS *, an Expect
// other than 100-continue, CONNECT) is answered here with a v1 error, and logged.

/** A Host the app can build its URL from: a name, an IPv4 or a bracketed IPv6 address, and a port. */
const READABLE_HOST = /^(?:[A-Za-z0-9._-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;
/** `http://host` at the start of an absolute-form target, which HTTP requires a server to accept. */
const ABSOLUTE_FORM = /^https?:\/\/[^/?#]*/i;
/**
 * A path exactly as the shim's routes are written: segments of unreserved and
 * sub-delimiter characters, no percent-encoding, no `.` or `..`, no empty
 * segment (so no trailing slash). Anything else names no page here, whatever a
 * URL parser would make of it (`/order/%63ode`, `/x/%2e%2e/order/code`).
 */
const CANONICAL_PATH = /^(?:\/(?!\.\.?(?:\/|$))[A-Za-z0-9._~!$&'()*+,;=:@-]+)+$|^\/$/;
/** Targets are clipped in the log: a client chooses them. */
const LOGGED_TARGET_LENGTH = 256;

function logRefusal(logger: Logger, refusal: V1Error, method: string | undefined, target: string | undefined, why: string): void {
  logger.warn(
    { status: refusal.status, method, path: target?.slice(0, LOGGED_TARGET_LENGTH), why, errors: refusal.errors.map((e) => e.code) },
    "request refused before the app",
  );
}

/** Why the app must not see a request, or undefined when it may. May give an HTTP/1.0 request without Host the host HTTP/1.0 did not need. */
function refusalOf(request: IncomingMessage): { refusal: V1Error; why: string } | undefined {
  const target = request.url ?? "";
  const absolute = ABSOLUTE_FORM.exec(target)?.[0];
  if (absolute === undefined && !target.startsWith("/")) return { refusal: v1Errors.unreadableTarget(), why: "the target is not a path" };
  const path = (absolute === undefined ? target : target.slice(absolute.length)).split("?", 1)[0] || "/";
  if (path.includes("\\")) return { refusal: v1Errors.unreadableTarget(), why: "a backslash in the path" };
  if (absolute !== undefined && !URL.canParse(target))
    return { refusal: v1Errors.unreadableTarget(), why: "the absolute target is not a URL" };
  if (absolute === undefined) {
    const host = request.headers.host;
    if (host === undefined && request.httpVersion === "1.0") request.headers.host = "localhost";
    else if (host === undefined || !READABLE_HOST.test(host)) return { refusal: v1Errors.unreadableTarget(), why: "the Host header" };
  }
  if (!CANONICAL_PATH.test(path)) return { refusal: v1Errors.notFound(), why: "the path is not written as the shim's paths are" };
  return undefined;
}

function answer(response: ServerResponse, refusal: V1Error, request: IncomingMessage, alwaysHeaders: AlwaysHeaders): void {
  const { status, headers, text } = v1ErrorAnswer(refusal, request.headers.accept, request.headers["content-type"], alwaysHeaders());
  response.writeHead(status, headers).end(text);
}

/** Hands the app only requests it can read; answers the rest with a v1 error. */
export function refuseUnreadableTargets(listener: RequestListener, logger: Logger, alwaysHeaders: AlwaysHeaders): RequestListener {
  return (request, response) => {
    const refused = refusalOf(request);
    if (!refused) return listener(request, response);
    logRefusal(logger, refused.refusal, request.method, request.url, refused.why);
    answer(response, refused.refusal, request, alwaysHeaders);
  };
}

/** Node's `checkExpectation`: an Expect other than 100-continue. */
export function answerExpectation(logger: Logger, alwaysHeaders: AlwaysHeaders) {
  return (request: IncomingMessage, response: ServerResponse): void => {
    const refusal = v1Errors.expectationFailed();
    logRefusal(logger, refusal, request.method, request.url, "an Expect other than 100-continue");
    answer(response, refusal, request, alwaysHeaders);
  };
}

/** Node's `connect`: CONNECT, whose target is a host and port, not a path; without a listener Node drops the connection. */
export function answerConnect(logger: Logger, alwaysHeaders: AlwaysHeaders) {
  return (request: IncomingMessage, socket: Duplex): void => {
    const refusal = v1Errors.unreadableTarget();
    logRefusal(logger, refusal, request.method, request.url, "CONNECT: this service is no proxy");
    socket.end(rawV1Error(refusal, request.headers.accept, request.headers["content-type"], alwaysHeaders()));
  };
}
