import { STATUS_CODES } from "node:http";
import type { Duplex } from "node:stream";

export type AppFetch = (request: Request) => Response | Promise<Response>;

/**
 * A request whose method Node's parser does not know (the legacy custom methods:
 * APPROVE, REISSUE, REJECT, RENEW, REVOKE) as a web Request, from the bytes the
 * parser gave up on; undefined when they do not make one. It carries no body:
 * no such method is served, so none is read.
 */
function requestOf(raw: Buffer): Request | undefined {
  const [requestLine = "", ...lines] = raw.toString("latin1").split("\r\n");
  const [method, target] = requestLine.split(" ");
  if (!method || !target?.startsWith("/")) return undefined;
  try {
    const headers = new Headers();
    for (const line of lines.slice(0, lines.indexOf(""))) {
      const colon = line.indexOf(":");
      if (colon > 0) headers.append(line.slice(0, colon), line.slice(colon + 1).trim());
    }
    return new Request(`http://${headers.get("host") || "localhost"}${target}`, { method, headers });
  } catch {
    return undefined;
  }
}

/**
 * Hands such a request to the app, so that it is answered (405 on a served path,
 * not_served on a legacy one, not_found elsewhere), logged and counted like any
 * other, with its X-Request-Id; then closes the connection, whose further bytes
 * the parser can no longer frame. False when the bytes make no request.
 */
export function answerInApp(raw: Buffer | undefined, socket: Duplex, app: AppFetch): boolean {
  const request = raw && requestOf(raw);
  if (!request) return false;
  void (async () => {
    try {
      const response = await app(request);
      const text = await response.text();
      const head = [...response.headers, ["Content-Length", String(Buffer.byteLength(text))], ["Connection", "close"]]
        .filter(([name]) => name !== "content-length")
        .map(([name, value]) => `${name}: ${value}\r\n`)
        .join("");
      socket.end(`HTTP/1.1 ${response.status} ${STATUS_CODES[response.status]}\r\n${head}\r\n${text}`);
    } catch {
      socket.destroy();
    }
  })();
  return true;
}
