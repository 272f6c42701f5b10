import { V2_RATE_LIMITS, windowText as window } from "../config/config.js";
import { allowedPlatforms, type PlatformTables } from "../contract/platforms.js";
import { V1_VALIDITY_YEARS } from "../contract/v1-order.js";
import { type V2Product, v2ErrorEnvelopeSchema, v2ProductSchema } from "../contract/v2.js";
import {
  type V2ProductInfo,
  v2ContainerSchema,
  v2OrganizationSchema,
  v2ProductInfoSchema,
  v2ProductListSchema,
  v2UserSchema,
} from "../contract/v2-account.js";
import { lookupAnswer, replySummary, type V2Reply } from "../contract/v2-reply.js";
import type { RateWindow } from "../lib/rate-window.js";
import { newAlternativeOrderId } from "../v2/alternative-order-id.js";
import type { CallLimits, V2Client } from "../v2/client.js";

// The checks of `v1-shim doctor`, each from read-only v2 calls: nothing here
// places, changes or cancels anything.

type CheckStatus = "ok" | "warning" | "failed";

export interface Check {
  check: string;
  /** Whose key or which setting: `DIGICERT_API_KEY`, `account 001007`, `SHIM_V2_RATE_LIMITS`. */
  subject: string;
  status: CheckStatus;
  message: string;
  /** What to do about a warning or a failure. */
  action?: string;
}

/** A v2 key to check, and the account's container and organization when it has them. */
export interface Target {
  subject: string;
  /** Where the key comes from, for the advice: `DIGICERT_API_KEY`, `DC_KEY_ACME`, a file. */
  keySource: string;
  apiKey: string;
  containerId?: number | undefined;
  organizationId?: number | undefined;
}

/** v2 gave no answer at all: the checks cannot run. */
export class V2Unreachable extends Error {
  constructor(readonly reason: string) {
    super(`v2 did not answer (${reason})`);
    this.name = "V2Unreachable";
  }
}

const PRODUCTS = v2ProductSchema.options;
const ok = (check: string, subject: string, message: string): Check => ({ check, subject, status: "ok", message });
const list = (items: readonly (string | number)[]) => (items.length === 0 ? "none" : items.join(", "));

/** A v2 answer in a few words: its status and error codes, or why there was none. */
function described(reply: V2Reply): string {
  if (reply.kind !== "answer") return String(replySummary(reply));
  const envelope = v2ErrorEnvelopeSchema.safeParse(reply.body);
  return envelope.success ? `${reply.status} ${envelope.data.errors.map((e) => e.code).join(", ")}` : String(reply.status);
}

/** The body of a 200, read with `schema`; undefined for anything else. */
function answered<T>(reply: V2Reply, schema: { safeParse(body: unknown): { success: true; data: T } | { success: false } }): T | undefined {
  if (reply.kind !== "answer" || reply.status !== 200) return undefined;
  const parsed = schema.safeParse(reply.body);
  return parsed.success ? parsed.data : undefined;
}

const refusedKey = (reply: V2Reply) => reply.kind === "answer" && (reply.status === 401 || reply.status === 403);

/** Every check for one key: the key, the products, the look-up, then the account's container and organization. */
export async function checkTarget(client: V2Client, target: Target, tables: PlatformTables, limits: CallLimits): Promise<Check[]> {
  const read = (path: string) => client.preflightRead(path, target.apiKey, limits);
  const user = await read("/user/me");
  if (user.kind === "no_answer") throw new V2Unreachable(user.reason);
  const key = keyCheck(target, user);
  if (key.status === "failed") return [key];

  const checks = [key];
  const products = await read("/product");
  for (const product of PRODUCTS) {
    const listed = answered(products, v2ProductListSchema);
    if (!listed) {
      checks.push(productFailure(product, target, `v2 answered ${described(products)} to GET /product`));
      continue;
    }
    if (!listed.products.some((p) => p.name_id === product)) {
      checks.push({
        ...productFailure(product, target, "is not among the products v2 lists for this key's account"),
        action: `ask DigiCert to enable ${product} for the CertCentral account; until then its orders are refused`,
      });
      continue;
    }
    const query = target.containerId === undefined ? "" : `?container_id=${target.containerId}`;
    const info = await read(`/product/${product}${query}`);
    const details = answered(info, v2ProductInfoSchema);
    checks.push(
      details ? productCheck(product, target, details, tables) : productFailure(product, target, `v2 answered ${described(info)}`),
    );
  }
  checks.push(lookupCheck(target, await client.findOrdersByAlternativeId(newAlternativeOrderId(), target.apiKey, limits, 1)));
  if (target.containerId !== undefined)
    checks.push(containerCheck(target, target.containerId, await read(`/container/${target.containerId}`)));
  if (target.organizationId !== undefined) {
    checks.push(organizationCheck(target, target.organizationId, await read(`/organization/${target.organizationId}`)));
  }
  return checks;
}

function keyCheck(target: Target, reply: V2Reply): Check {
  const user = answered(reply, v2UserSchema);
  if (user) {
    const who = [
      user.username ?? "",
      `(user ${user.id}${user.account_id === undefined ? "" : `, CertCentral account ${user.account_id}`})`,
    ];
    return ok("key accepted", target.subject, `v2 accepts the key of ${who.filter(Boolean).join(" ")}`);
  }
  return {
    check: "key accepted",
    subject: target.subject,
    status: "failed",
    message: `v2 answered ${described(reply)} to GET /user/me`,
    action: refusedKey(reply)
      ? `check the key in ${target.keySource}; a CertCentral administrator can make a new one (Automation, API keys)`
      : "check DIGICERT_API_URL: it must be the v2 base, ending in /services/v2",
  };
}

function productFailure(product: V2Product, target: Target, why: string): Check {
  return { check: `product ${product}`, subject: target.subject, status: "failed", message: `${product} ${why}`, action: "ask DigiCert" };
}

/** Available; and whether v2 allows every validity and server platform the shim may send for it. */
function productCheck(product: V2Product, target: Target, info: V2ProductInfo, tables: PlatformTables): Check {
  const years = info.allowed_validity_years ?? [];
  const v2Platforms = new Set((info.server_platforms ?? []).map((p) => p.id));
  const missingYears = V1_VALIDITY_YEARS.map(Number).filter((y) => !years.includes(y));
  const unlisted = allowedPlatforms(tables, product === "code_signing_ev").filter((p) => !v2Platforms.has(p.v2_id));
  const allowed = `v2 allows validities ${list(years)} (years) and server platforms ${list([...v2Platforms])}`;
  const problems = [
    ...(missingYears.length > 0 ? [`not validity ${list(missingYears)}, which v1 orders may ask for`] : []),
    ...(unlisted.length > 0
      ? [`not the shim's platforms ${unlisted.map((p) => `${p.v1_id} ${p.name} (sent as ${p.v2_id})`).join(", ")}`]
      : []),
  ];
  if (problems.length === 0) return ok(`product ${product}`, target.subject, `available: ${allowed}`);
  return {
    check: `product ${product}`,
    subject: target.subject,
    status: "warning",
    message: `available, but ${allowed}: ${problems.join("; ")}`,
    action: `v2 will refuse orders asking for them; if v2 names these platforms by other ids, map them in SHIM_PLATFORMS_FILE`,
  };
}

/** A fresh id no order carries: the shim relies on v2 saying "none" for it before it ever sends an order again. */
function lookupCheck(target: Target, reply: V2Reply): Check {
  const outcome = lookupAnswer(reply);
  if (outcome === "none") return ok("look-up by alternative_order_id", target.subject, "v2 answers that no order carries a fresh id");
  return {
    check: "look-up by alternative_order_id",
    subject: target.subject,
    status: "failed",
    message:
      outcome === "failed"
        ? `v2 answered ${described(reply)} to GET /order/alternate/{id}: after a lost answer the shim could not tell whether the order was made`
        : `v2 lists orders ${list(outcome.found)} for an id never used`,
    action: "let the key's user view orders; without the look-up, a lost answer ends in 503 and a reconcile log line",
  };
}

/** A failed check of an account's container_id or organization_id, and how to fix it. */
const accountFailure =
  (target: Target, check: "container" | "organization", otherwise: string) =>
  (message: string): Check => ({
    check,
    subject: target.subject,
    status: "failed",
    message,
    action: `fix ${check}_id of ${target.subject} in the accounts file, or ${otherwise}`,
  });

function containerCheck(target: Target, id: number, reply: V2Reply): Check {
  const container = answered(reply, v2ContainerSchema);
  const failed = accountFailure(target, "container", `give the key's user access to container ${id}`);
  if (!container) return failed(`container ${id} does not exist or the key cannot see it (v2 answered ${described(reply)})`);
  if (container.is_active === false) return failed(`container ${id} (${container.name ?? "unnamed"}) is inactive`);
  return ok("container", target.subject, `container ${id} (${container.name ?? "unnamed"}) is visible and active`);
}

function organizationCheck(target: Target, id: number, reply: V2Reply): Check {
  const organization = answered(reply, v2OrganizationSchema);
  const failed = accountFailure(target, "organization", `make organization ${id} visible to the key's container`);
  if (!organization) return failed(`organization ${id} does not exist or the key cannot see it (v2 answered ${described(reply)})`);
  const name = organization.display_name ?? organization.name ?? "unnamed";
  if (organization.status === "inactive" || organization.is_active === false) return failed(`organization ${id} (${name}) is inactive`);
  return ok("organization", target.subject, `organization ${id} (${name}) is visible and active`);
}

/** The most calls `windows` let through in any span of `spanMs`. */
function mostCallsIn(windows: readonly RateWindow[], spanMs: number): number {
  return Math.min(...windows.map((w) => (w.windowMs >= spanMs ? w.limit : w.limit * Math.ceil(spanMs / w.windowMs))));
}

/** Whether the shim's pacing keeps each key within what v2 allows. */
export function pacingCheck(windows: readonly RateWindow[]): Check {
  const subject = "SHIM_V2_RATE_LIMITS";
  const v2 = V2_RATE_LIMITS.map(window).join(" and ");
  if (windows.length === 0) {
    return {
      check: "pacing",
      subject,
      status: "warning",
      message: `off: the shim does not pace, and past v2's ${v2} clients get 503 upstream_rate_limited`,
      action: "set SHIM_V2_RATE_LIMITS=100/5s,1000/3m unless something else paces the key",
    };
  }
  const over = V2_RATE_LIMITS.filter((limit) => mostCallsIn(windows, limit.windowMs) > limit.limit);
  const configured = windows.map(window).join(",");
  if (over.length === 0) return ok("pacing", subject, `${configured} keeps each key within v2's ${v2}`);
  return {
    check: "pacing",
    subject,
    status: "failed",
    message: `${configured} lets through ${over.map((l) => `up to ${mostCallsIn(windows, l.windowMs)} calls where v2 allows ${window(l)}`).join(", ")}`,
    action: "lower SHIM_V2_RATE_LIMITS to v2's 100/5s,1000/3m or below",
  };
}
