import type { V2OrderBody, V2Product } from "../contract/v2.js";
import { readRetryAfter, type V2Reply } from "../contract/v2-reply.js";
import type { Pacer } from "./pacer.js";
import { type Clock, realClock } from "./retry-timing.js";
import type { V2Transport } from "./transport.js";

/** The v2 calls the shim makes, as metrics name them. */
export type V2Call = "create_order" | "find_by_alternative_id" | "get_order" | "preflight_read";

export interface CallLimits {
  /** For this call: at most this long for v2 to answer. */
  timeoutMs: number;
  /** For this call: at most this long to wait for a slot under the key's rate limits. */
  maxPaceWaitMs: number;
}

/** What one call was about, for its trace span: which attempt it was, and the order it concerns. */
interface V2CallSubject {
  /** 1 for the first send (or look-up, or read) of a request, 2 for the next, … */
  attempt: number;
  alternativeOrderId?: string;
  orderId?: number;
}

/** Told of every call once it ended; the metrics take the first three arguments, tracing all four. */
export type V2CallObserver = (call: V2Call, reply: V2Reply, seconds: number, subject: V2CallSubject) => void;

const USER_AGENT = "digicert-v1-shim";

/** The v2 calls the shim makes, each answered as a V2Reply; the API key travels as X-DC-DEVKEY. */
export class V2Client {
  constructor(
    private readonly transport: V2Transport,
    private readonly pacer: Pacer,
    private readonly observe: V2CallObserver = () => undefined,
    private readonly clock: Clock = realClock,
  ) {}

  createOrder(product: V2Product, body: V2OrderBody, apiKey: string, limits: CallLimits, attempt: number): Promise<V2Reply> {
    const subject = { attempt, alternativeOrderId: body.alternative_order_id };
    return this.call("create_order", "POST", `/order/certificate/${product}`, apiKey, limits, subject, JSON.stringify(body));
  }

  /** `GET /order/alternate/{id}`: the orders that carry an alternative_order_id. */
  findOrdersByAlternativeId(alternativeOrderId: string, apiKey: string, limits: CallLimits, attempt: number): Promise<V2Reply> {
    const path = `/order/alternate/${encodeURIComponent(alternativeOrderId)}`;
    return this.call("find_by_alternative_id", "GET", path, apiKey, limits, { attempt, alternativeOrderId });
  }

  /** `GET /order/certificate/{id}`: "Order info". */
  getOrder(orderId: number, apiKey: string, limits: CallLimits, attempt: number): Promise<V2Reply> {
    return this.call("get_order", "GET", `/order/certificate/${orderId}`, apiKey, limits, { attempt, orderId });
  }

  /** A read that changes nothing, for `v1-shim doctor`: `GET /user/me`, `/product/{name_id}`, `/container/{id}`, … */
  preflightRead(path: string, apiKey: string, limits: CallLimits): Promise<V2Reply> {
    return this.call("preflight_read", "GET", path, apiKey, limits, { attempt: 1 });
  }

  private async call(
    name: V2Call,
    method: "GET" | "POST",
    path: string,
    apiKey: string,
    limits: CallLimits,
    subject: V2CallSubject,
    body?: string,
  ): Promise<V2Reply> {
    const slot = await this.pacer.reserve(apiKey, limits.maxPaceWaitMs);
    if (!slot.admitted) {
      const held: V2Reply = slot.unavailable
        ? { kind: "paced", retryAfterMs: slot.waitMs, stateUnavailable: true }
        : { kind: "paced", retryAfterMs: slot.waitMs };
      this.observe(name, held, 0, subject);
      return held;
    }
    if (slot.waitMs > 0) await this.clock.sleep(slot.waitMs);
    const started = this.clock.now();
    const reply = await this.send(method, path, apiKey, limits, body);
    this.observe(name, reply, (this.clock.now() - started) / 1000, subject);
    // Before the reply is acted on: a retry must already see a key that v2 said is saturated.
    await this.pacer.settle(apiKey, reply);
    return reply;
  }

  private async send(method: "GET" | "POST", path: string, apiKey: string, limits: CallLimits, body?: string): Promise<V2Reply> {
    const headers: Record<string, string> = { "X-DC-DEVKEY": apiKey, Accept: "application/json", "User-Agent": USER_AGENT };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    try {
      const response = await this.transport({ method, path, headers, body, timeoutMs: limits.timeoutMs });
      const retryAfter = response.headers["retry-after"];
      return {
        kind: "answer",
        status: response.status,
        body: parseJson(response.text),
        retryAfterSeconds: readRetryAfter(Array.isArray(retryAfter) ? retryAfter[0] : retryAfter),
      };
    } catch (error) {
      return { kind: "no_answer", reason: describeFailure(error) };
    }
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** A short, secret-free name for why no answer came: an error code, never a message that might echo headers. */
export function describeFailure(error: unknown): string {
  if (error instanceof Error) {
    const code = "code" in error && typeof error.code === "string" ? error.code : undefined;
    return code ?? error.name;
  }
  return "unknown failure";
}
