import { connect, type Socket } from "node:net";
import { orderRequest } from "./http-files.js";

const seed = orderRequest();

/** The seed's order as raw HTTP with its exact Content-Length, and `extra` headers. */
export function rawOrder(extra: string): string {
  const headers = seed.headers.filter(([name]) => name !== "Content-Length").map(([name, value]) => `${name}: ${value}\r\n`);
  return `POST /order/code HTTP/1.1\r\nHost: shim\r\n${headers.join("")}${extra}Content-Length: ${Buffer.byteLength(seed.body)}\r\n\r\n${seed.body}`;
}

/**
 * Writes `parts` on a fresh connection, one every `gapMs` (a client that trickles
 * its request, the pace being what is tested, not a wait), and resolves with
 * everything the shim sent until it closed.
 */
export function exchange(port: number, parts: string[], gapMs = 0): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    let received = "";
    socket.on("data", (chunk) => (received += chunk.toString()));
    socket.on("error", () => undefined);
    socket.on("close", () => resolve(received));
    let i = 0;
    const next = () => {
      if (socket.destroyed || i >= parts.length) return;
      socket.write(parts[i++]!);
      if (i < parts.length) setTimeout(next, gapMs);
    };
    socket.once("connect", next);
  });
}

/**
 * A client that leaves: it ends its side of `socket` and resolves once the shim
 * has ended its own, which Node's server does in the turn it reads the client's
 * end, aborting the request. No sleep: what is awaited is the shim's own doing.
 */
export async function hangUp(socket: Socket): Promise<void> {
  const closed = new Promise<void>((resolve) => socket.once("close", () => resolve()));
  socket.end();
  await closed;
}
