import type { MiddlewareHandler } from "hono";
import type { Config } from "../config/config.js";
import { isShimEndpoint } from "../contract/surface.js";
import type { ShimEnv } from "./env.js";

/**
 * The signals a migrating client's tooling can read on every v1 answer, each
 * only when configured: RFC 9745 Deprecation (a structured date, `@` and epoch
 * seconds), RFC 8594 Sunset (an HTTP date), and a Link to the migration guide.
 */
export function deprecationHeaders(config: Pick<Config, "deprecationDate" | "sunsetDate" | "migrationUrl">): Record<string, string> {
  const headers: Record<string, string> = {};
  if (config.deprecationDate) headers.Deprecation = `@${Math.floor(config.deprecationDate.getTime() / 1000)}`;
  if (config.sunsetDate) headers.Sunset = config.sunsetDate.toUTCString();
  if (config.migrationUrl) headers.Link = `<${config.migrationUrl}>; rel="deprecation"; type="text/html"`;
  return headers;
}

/** Adds the headers to an answer on the legacy surface, errors and 304s included; the shim's own endpoints are not v1. */
export function addDeprecationHeaders(entries: readonly (readonly [string, string])[], path: string, answer: Response): void {
  if (isShimEndpoint(path)) return;
  for (const [name, value] of entries) answer.headers.set(name, value);
}

/** Adds the headers to every answer that passes through it. */
export function announceDeprecation(headers: Record<string, string>): MiddlewareHandler<ShimEnv> {
  const entries = Object.entries(headers);
  return async function announce(c, next) {
    await next();
    addDeprecationHeaders(entries, c.req.path, c.res);
  };
}
