import type { Context } from "hono";
import type { ShimEnv } from "./env.js";
import { requestHeader } from "./request-header.js";

/**
 * The client's address: the socket's peer, or, behind `hops` proxies that each
 * append the address they saw to X-Forwarded-For, the one the nearest
 * untrusted hop gave. Entries further left are the client's to write, so they
 * are never believed. "unknown" when the app is called in process.
 */
export function clientAddress(c: Context<ShimEnv>, hops: number): string {
  const peer = c.env?.incoming?.socket.remoteAddress ?? "unknown";
  if (hops === 0) return peer;
  const forwarded = (requestHeader(c, "x-forwarded-for") ?? "")
    .split(",")
    .map((a) => a.trim())
    .filter(Boolean);
  return forwarded.at(-hops) ?? peer;
}
