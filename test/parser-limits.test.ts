import { connect } from "node:net";
import { describe, expect, it } from "vitest";
import { type RunningShim, startShim } from "./support/shim.js";

let shim: RunningShim | undefined;

/** Writes raw bytes to the shim and reads what comes back until it closes the connection. */
function exchange(url: string, bytes: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.end(bytes));
    const chunks: Buffer[] = [];
    socket.on("data", (chunk) => chunks.push(chunk));
    socket.on("error", reject);
    socket.on("close", () => resolve(Buffer.concat(chunks).toString("latin1")));
  });
}

describe("requests Node's parser refuses", () => {
  it("answers headers too large with 431 headers_too_large, a v1 error in the negotiated format", async () => {
    shim = await startShim();
    const answer = await exchange(
      shim.url,
      `GET /order/1 HTTP/1.1\r\nHost: x\r\nAccept: application/xml\r\nX-Padding: ${"a".repeat(20_000)}\r\n\r\n`,
    );
    expect(answer).toMatch(/^HTTP\/1\.1 431 /);
    expect(answer).toMatch(/\r\nConnection: close\r\n/i);
    expect(answer).toContain("<errors><error><code>headers_too_large</code>");
  });
});
