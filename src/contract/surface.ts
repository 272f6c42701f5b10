// The legacy surface the shim serves, and what each path takes. Routes, OPTIONS,
// 405s and the method override are all derived from this table.
export const SERVED = {
  "/order/code": ["POST"],
  "/order/:order_id": ["GET", "HEAD"],
  "/_shim/translate/order/code": ["POST"],
} as const satisfies Record<string, readonly string[]>;

export type ServedPath = keyof typeof SERVED;

/**
 * Legacy endpoints the shim does not serve: said plainly (not_served), so that
 * an operator reading a client's log knows at once why.
 */
export const NOT_SERVED = ["/order/ssl", "/order/wfa", "/order/:order_id/certificate", "/enterprise/*", "/request/*"] as const;

/** The shim's own endpoints (translate, clients, the contract), as opposed to the legacy surface. */
export const isShimEndpoint = (path: string): boolean => path.startsWith("/_shim/");

/** The legacy custom methods; documented as sent directly or as POST with X-HTTP-Method-Override. */
export const CUSTOM_METHODS: ReadonlySet<string> = new Set(["APPROVE", "REISSUE", "REJECT", "RENEW", "REVOKE"]);

/** What `Allow` says for a path: its methods, and OPTIONS. */
export const allowed = (methods: readonly string[]): string[] => [...methods, "OPTIONS"];
