import type { MiddlewareHandler } from "hono";
import { secureHeaders } from "hono/secure-headers";
import type { ShimEnv } from "./env.js";

/** What a page may load beside itself: its own inline style and script, named by their hashes ('sha256-…'). */
export interface InlineSources {
  style: readonly string[];
  script: readonly string[];
}

/**
 * The headers of every admin page and answer, its 401 included (Hono's
 * secureHeaders): a Content-Security-Policy that allows nothing but the inline
 * style and script named by their hashes (no other host, no frame, no form, no
 * plug-in), no framing, no sniffing, no referrer. No Strict-Transport-Security:
 * whether the host is served over TLS, and its subdomains too, is for the
 * operator's proxy to say, not for one path of it.
 */
export function adminSecurityHeaders(inline: InlineSources): MiddlewareHandler<ShimEnv> {
  return secureHeaders({
    contentSecurityPolicy: {
      defaultSrc: ["'none'"],
      styleSrc: [...inline.style],
      scriptSrc: [...inline.script],
      baseUri: ["'none'"],
      formAction: ["'none'"],
      frameAncestors: ["'none'"],
    },
    xFrameOptions: "DENY",
    referrerPolicy: "no-referrer",
    strictTransportSecurity: false,
  });
}
