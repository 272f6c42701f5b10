import type { IncomingMessage } from "node:http";
import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { clientAddress } from "./client-address.js";
import type { ShimEnv } from "./env.js";

/** The address clientAddress gives for a request from `peer` (undefined: called in process) with these headers, trusting `hops` proxies. */
async function addressOf(hops: number, peer: string | undefined, headers: Record<string, string> = {}) {
  const app = new Hono<ShimEnv>().get("/", (c) => c.text(clientAddress(c, hops)));
  const incoming = peer === undefined ? undefined : ({ socket: { remoteAddress: peer } } as unknown as IncomingMessage);
  return (await app.request("/", { headers }, { incoming })).text();
}

describe("the client's address", () => {
  it("is the socket's peer when no proxy is trusted, whatever X-Forwarded-For says", async () => {
    expect(await addressOf(0, "10.0.0.9", { "X-Forwarded-For": "203.0.113.7" })).toBe("10.0.0.9");
  });

  it("behind trusted proxies, is the entry the nearest untrusted hop gave, never one further left the client wrote", async () => {
    // The client wrote 198.51.100.1 itself; the one proxy trusted appended the address it saw.
    expect(await addressOf(1, "10.0.0.9", { "X-Forwarded-For": "198.51.100.1, 203.0.113.7" })).toBe("203.0.113.7");
    expect(await addressOf(2, "10.0.0.9", { "X-Forwarded-For": "198.51.100.1, 203.0.113.7 , 10.0.0.2" })).toBe("203.0.113.7");
  });

  it("is the peer when the proxies trusted left fewer entries than they are, and 'unknown' in process", async () => {
    expect(await addressOf(2, "10.0.0.9", { "X-Forwarded-For": "203.0.113.7" })).toBe("10.0.0.9");
    expect(await addressOf(1, "10.0.0.9")).toBe("10.0.0.9");
    expect(await addressOf(0, undefined)).toBe("unknown");
  });
});
