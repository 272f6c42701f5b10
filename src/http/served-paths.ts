import { TrieRouter } from "hono/router/trie-router";
import { isShimEndpoint, NOT_SERVED, SERVED } from "../contract/surface.js";

// First registered wins, as in the app: /order/code before /order/:order_id.
const router = new TrieRouter<readonly string[]>();
for (const [path, methods] of Object.entries(SERVED)) router.add("ALL", path, methods);

/** The methods a concrete path takes, or undefined when the shim does not serve it. */
export function methodsAt(path: string): readonly string[] | undefined {
  return router.match("ALL", path)[0][0]?.[0];
}

// The legacy surface, served or not; the shim's own endpoints are not part of it.
const legacy = new TrieRouter<true>();
for (const path of [...Object.keys(SERVED).filter((p) => !isShimEndpoint(p)), ...NOT_SERVED]) legacy.add("ALL", path, true);

/**
 * The path a request names on the legacy surface. Legacy clients configured with
 * DigiCert's old base URL (`https://www.digicert.com/clients/rest/api`), only the
 * host swapped, call `/clients/rest/api/order/code`: under a base path, a legacy
 * path is that path; anything else (the shim's own endpoints, an unknown page)
 * stays as it is, so it is served at the root only.
 */
export function legacyPathUnder(basePaths: readonly string[]): (path: string) => string {
  return (path) => {
    for (const base of basePaths) {
      if (!path.startsWith(base) || path[base.length] !== "/") continue;
      const rest = path.slice(base.length);
      if (legacy.match("ALL", rest)[0].length > 0) return rest;
    }
    return path;
  };
}
