import { TrieRouter } from "hono/router/trie-router";
import { SERVED } from "../contract/surface.js";

// First registered wins, as in the app: /order/code before /order/:order_id.
const router = new TrieRouter<readonly string[]>();
for (const [path, methods] of Object.entries(SERVED)) router.add("ALL", path, methods);

/** The methods a concrete path takes, or undefined when the shim does not serve it. */
export function methodsAt(path: string): readonly string[] | undefined {
  return router.match("ALL", path)[0][0]?.[0];
}
