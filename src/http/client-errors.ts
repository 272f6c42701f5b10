import { STATUS_CODES } from "node:http";
import type { Duplex } from "node:stream";
import { type V1Error, v1Errors } from "../contract/v1-errors.js";
import type { Logger } from "../observability/log.js";
import { refuseMethod } from "./methods.js";
import { negotiateFormat } from "./negotiate.js";
import { renderErrors } from "./render.js";
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
 * Node's HTTP parser answers what it cannot parse (a method it does not know, a
 * slow or oversized request) with a bare status and no body. The shim answers
 * those with a v1 error too, then closes the connection, as Node would.
 */
/**
 * The socket's response in flight, if any: an internal field of Node's HTTP
 * server, which its own clientError default reads for the same question.
 */
type ServerSocket = Duplex & { _httpMessage?: { headersSent?: boolean } | null };

export function answerClientError(
  error: ParserError,
  socket: ServerSocket,
  logger: Logger,
  /** What every v1 answer carries: the deprecation signals, when configured. */
  alwaysHeaders: Readonly<Record<string, string>> = {},
  /** The app, which answers a method the parser does not know (APPROVE, REVOKE…) as it answers any request. */
  app?: AppFetch,
): void {
  // As Node does: answer unless a response in flight has begun, which an error
  // segment would corrupt. A kept-alive connection that has served answers before
  // can still be answered; counting the socket's written bytes would hang it up.
  if (error.code === "ECONNRESET" || !socket.writable || socket._httpMessage?.headersSent) {
    socket.destroy();
    return;
  }
  if (error.code === "HPE_INVALID_METHOD" && app && answerInApp(error.rawPacket, socket, app)) return;
  const request = readRawRequest(error.rawPacket);
  const refusal = refusalFor(error, request);
  const { contentType, text } = renderErrors(
    negotiateFormat(request.header("accept"), request.header("content-type")) ?? "json",
    refusal.errors,
  );
  const headers = {
    ...alwaysHeaders,
    ...refusal.headers,
    "Content-Type": contentType,
    "Content-Length": String(Buffer.byteLength(text)),
    Connection: "close",
  };
  const head = Object.entries(headers)
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join("");
  socket.end(`HTTP/1.1 ${refusal.status} ${STATUS_CODES[refusal.status]}\r\n${head}\r\n${text}`);
  logger.warn(
    { parser_error: error.code, status: refusal.status, method: request.method, path: request.path },
    "request refused by the HTTP parser",
  );
}
