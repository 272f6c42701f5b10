import type { EventEmitter } from "node:events";
import type { Duplex } from "node:stream";
import { type V1Error, v1Errors } from "../contract/v1-errors.js";
import type { Logger } from "../observability/log.js";
import { refuseMethod } from "./methods.js";
import { type AlwaysHeaders, rawV1Error } from "./render.js";
import { methodsAt } from "./served-paths.js";
import { type AppFetch, answerInApp } from "./unknown-methods.js";

interface ParserError extends Error {
  code?: string;
  rawPacket?: Buffer;
}

/** The request line and headers of what the parser refused, as far as they can be read. */
function readRawRequest(raw: Buffer | undefined) {
  const [requestLine = "", ...lines] = (raw?.toString("latin1") ?? "").split("\r\n");
  const [method, path] = requestLine.split(" ");
  const header = (name: string) =>
    lines
      .find((line) => line.toLowerCase().startsWith(`${name}:`))
      ?.slice(name.length + 1)
      .trim();
  return { method, path: path?.split("?")[0], header };
}

function refusalFor(error: ParserError, request: ReturnType<typeof readRawRequest>): V1Error {
  if (error.code === "HPE_INVALID_METHOD" && request.method && request.path) {
    // The legacy custom methods (REISSUE, REVOKE…) are not HTTP methods Node knows.
    const methods = methodsAt(request.path);
    return methods ? refuseMethod(request.method, methods) : v1Errors.notFound();
  }
  if (error.code === "ERR_HTTP_REQUEST_TIMEOUT") return v1Errors.requestTimeout();
  if (error.code === "HPE_HEADER_OVERFLOW") return v1Errors.headersTooLarge();
  return v1Errors.malformedRequest();
}

/**
 * The socket's response in flight, if any, and the request it answers: internal
 * fields of Node's HTTP server, which its own clientError default reads for the
 * same question.
 */
type ServerSocket = Duplex & {
  _httpMessage?: (EventEmitter & { headersSent?: boolean; writableFinished?: boolean; req?: { complete?: boolean } }) | null;
};

/** The status the parser hook answered on a socket, for the app's record of the request that was cut off there. */
const answeredOn = new WeakMap<Duplex, number>();
export const parserAnswerOn = (socket: Duplex | undefined): number | undefined => socket && answeredOn.get(socket);

/**
 * Node's HTTP parser answers what it cannot parse (a method it does not know, a
 * slow or oversized request) with a bare status and no body. The shim answers
 * those with a v1 error too, then closes the connection, as Node would, but
 * never on a socket whose request has arrived whole and is being answered: bytes
 * after it (a second request after Connection: close, or garbage) must not cut
 * off the answer to an order that may be placed by now.
 */
export function answerClientError(
  error: ParserError,
  socket: ServerSocket,
  logger: Logger,
  /** What every v1 answer carries: the deprecation signals, when configured. */
  alwaysHeaders: AlwaysHeaders = () => ({}),
  /** The app, which answers a method the parser does not know (APPROVE, REVOKE…) as it answers any request. */
  app?: AppFetch,
): void {
  const inFlight = socket._httpMessage;
  if (inFlight && !inFlight.writableFinished && inFlight.req?.complete) {
    logger.warn(
      { parser_error: error.code },
      "bytes after a request being answered were refused; its answer goes first, then the connection closes",
    );
    inFlight.once("finish", () => socket.end());
    return;
  }
  // A client that hung up mid-request is a client that left, not a refusal; the
  // app logs the request it cut off, if it got that far.
  if (error.code === "ECONNRESET" || error.code === "HPE_INVALID_EOF_STATE") {
    if (!inFlight) logger.info({ parser_error: error.code }, "the client closed the connection mid-request");
    socket.destroy();
    return;
  }
  // As Node does: answer unless a response in flight has begun, which an error
  // segment would corrupt. A kept-alive connection that has served answers before
  // can still be answered; counting the socket's written bytes would hang it up.
  if (!socket.writable || inFlight?.headersSent) {
    socket.destroy();
    return;
  }
  if (error.code === "HPE_INVALID_METHOD" && app && answerInApp(error.rawPacket, socket, app)) return;
  const request = readRawRequest(error.rawPacket);
  const refusal = refusalFor(error, request);
  socket.end(rawV1Error(refusal, request.header("accept"), request.header("content-type"), alwaysHeaders()));
  answeredOn.set(socket, refusal.status);
  logger.warn(
    { parser_error: error.code, status: refusal.status, method: request.method, path: request.path },
    "request refused by the HTTP parser",
  );
}
