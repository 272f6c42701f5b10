import { connect } from "node:net";
import { describe, expect, it } from "vitest";
import { startFakeV2 } from "./support/fake-v2.js";
import { orderRequest } from "./support/http-files.js";
import { shimsStoppedAfterEach } from "./support/process.js";

// What a hostile or unlucky client, or an unlucky shutdown, does to orders in
// flight, against the built process (node dist/shim.mjs) and a fake v2.

const spawn = shimsStoppedAfterEach();
const seed = orderRequest();

/** The seed's order as raw HTTP with its exact Content-Length, and `extra` headers. */
function rawOrder(extra: string): string {
  const headers = seed.headers.filter(([name]) => name !== "Content-Length").map(([name, value]) => `${name}: ${value}\r\n`);
  return `POST /order/code HTTP/1.1\r\nHost: shim\r\n${headers.join("")}${extra}Content-Length: ${Buffer.byteLength(seed.body)}\r\n\r\n${seed.body}`;
}

/** Writes `text` on a fresh connection and resolves with everything the shim sent until it closed. */
function exchange(port: number, text: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1", () => socket.write(text));
    let received = "";
    socket.on("data", (chunk) => (received += chunk.toString()));
    socket.on("error", () => undefined);
    socket.on("close", () => resolve(received));
  });
}

describe("bytes after a request whose order is being placed", () => {
  it("never cut off its answer: the placed order's 201 is what the client hears", async () => {
    const fake = await startFakeV2();
    // v2 takes a while, so the trailing bytes are parsed while the order is in flight.
    fake.script({ delayMs: 300 });
    try {
      const port = await spawn({ DIGICERT_API_URL: fake.url }).listening;
      const received = await exchange(port, `${rawOrder("Connection: close\r\n")}XYZ`);
      expect(received).toMatch(/^HTTP\/1\.1 201 /);
      expect(received.match(/HTTP\/1\.1 /g)).toHaveLength(1);
      expect(JSON.parse(received.slice(received.indexOf("\r\n\r\n") + 4))).toEqual({ order_id: fake.sandbox.orders()[0]!.id });
      expect(fake.sandbox.orders()).toHaveLength(1);
    } finally {
      await fake.close();
    }
  });
});
