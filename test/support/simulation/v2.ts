import type { V2HttpRequest, V2HttpResponse, V2Transport } from "../../../src/v2/transport.js";
import type { Owner, SimWorld } from "./world.js";

/** One order v2 made. */
export interface SimOrder {
  id: number;
  alternativeOrderId: string;
  apiKey: string;
  /** When the create that made it arrived, and in which event: the trace must come first. */
  at: number;
  event: number;
}

export interface V2Faults {
  /** Share of calls that meet a fault at all. */
  rate: number;
  /** v2's "Require unique alternative order IDs": a second create with a held id is refused. */
  uniqueAlternativeIds: boolean;
  /** How much slower than usual a slow answer can be, at most. */
  slowMs: number;
  /** No fault from then on. */
  calmAt: number;
}

/** Said by v2 when a key is not an account's: real v2's 403 access_denied_invalid_key. */
const INVALID_KEY = {
  errors: [{ code: "access_denied|access_denied_invalid_key", message: "Access denied due to access_denied_invalid_key." }],
};

/**
 * v2 as the shim meets it: it makes orders and answers look-ups by
 * alternative_order_id, for the keys it knows, with every fault the network and
 * v2 have shown: refused connections, resets before and after the order is made,
 * 5xx with and without an order, 429s with and without Retry-After, a proxy's 404,
 * unreadable 2xx, and answers too slow for the caller's timeout. A request reaches
 * v2 within the caller's timeout (so "v2 made it after a look-up said none", the one
 * race docs/reliability.md leaves to v2's unique-id setting, happens only with that setting on);
 * its answer may come back late, or not at all.
 */
export class SimV2 {
  readonly orders: SimOrder[] = [];
  /** Every create that arrived: its id, and the event it arrived in. */
  readonly creates: { alternativeOrderId: string; at: number; event: number }[] = [];
  #nextId = 700_001;

  constructor(
    private readonly world: SimWorld,
    private readonly keys: ReadonlySet<string>,
    private readonly faults: V2Faults,
    /** Refused by v2 as invalid, whichever way it is sent: an order v2 will never make. */
    private readonly refusedOrders: ReadonlySet<string>,
  ) {}

  /** The transport `owner` calls v2 through. */
  transportFor(owner: Owner): V2Transport {
    return (request) => this.#exchange(owner, request);
  }

  #exchange(owner: Owner, request: V2HttpRequest): Promise<V2HttpResponse> {
    const { world } = this;
    const fault = world.now < this.faults.calmAt && world.chance(this.faults.rate) ? world.pick(FAULTS) : "none";
    const there = world.int(1, Math.max(1, Math.min(20, request.timeoutMs - 1)));
    const back = fault === "slow" ? world.int(1, this.faults.slowMs) : world.int(1, 20);
    return new Promise((resolve, reject) => {
      let settled = false;
      const end = (outcome: () => void) => {
        if (settled) return;
        settled = true;
        outcome();
      };
      const noAnswer = (code: string) => () => reject(Object.assign(new Error("no answer"), { code }));
      world.at(request.timeoutMs, () => end(noAnswer("UND_ERR_HEADERS_TIMEOUT")), owner);
      if (fault === "refused") {
        world.at(there, () => end(noAnswer("ECONNREFUSED")), owner);
        return;
      }
      // Sent: it reaches v2, whether or not its caller is still there to hear.
      world.at(there, () => {
        if (fault === "reset_before") return world.at(back, () => end(noAnswer("ECONNRESET")), owner);
        const answer = this.#serve(request, fault);
        const reply = fault === "reset_after" ? noAnswer("ECONNRESET") : () => resolve(answer);
        world.at(back, () => end(reply), owner);
      });
    });
  }

  #serve(request: V2HttpRequest, fault: Fault): V2HttpResponse {
    const key = request.headers["X-DC-DEVKEY"] ?? "";
    if (!this.keys.has(key)) return json(403, INVALID_KEY);
    if (fault === "429")
      return json(429, { errors: [{ code: "request_limit_exceeded", message: "Service unavailable" }] }, this.world.chance(0.5));
    if (fault === "503") return json(503, { errors: [{ code: "service_unavailable", message: "down" }] });
    if (request.method === "POST") return this.#create(request, key, fault);
    const id = decodeURIComponent(request.path.slice("/order/alternate/".length));
    if (fault === "proxy_404") return { status: 404, headers: {}, text: "<html>Not Found</html>" };
    if (fault === "unreadable") return { status: 200, headers: {}, text: "<html>" };
    const found = this.orders.filter((o) => o.alternativeOrderId === id && o.apiKey === key);
    if (found.length === 0) return json(200, { page: { total: 0, limit: 1000, offset: 0 } });
    return json(200, { orders: found.map((o) => ({ order_id: o.id, status: "pending" })), page: { total: found.length } });
  }

  #create(request: V2HttpRequest, key: string, fault: Fault): V2HttpResponse {
    const body = JSON.parse(request.body ?? "{}") as { alternative_order_id: string; organization?: { name?: string } };
    const altId = body.alternative_order_id;
    this.creates.push({ alternativeOrderId: altId, at: this.world.now, event: this.world.events });
    if (this.refusedOrders.has(body.organization?.name ?? "")) {
      return json(400, { errors: [{ code: "invalid_param|organization.name", message: "organization.name is not allowed" }] });
    }
    if (this.faults.uniqueAlternativeIds && this.orders.some((o) => o.alternativeOrderId === altId && o.apiKey === key)) {
      return json(400, { errors: [{ code: "duplicate_alternative_order_id", message: "alternative_order_id must be unique" }] });
    }
    const order: SimOrder = { id: this.#nextId++, alternativeOrderId: altId, apiKey: key, at: this.world.now, event: this.world.events };
    this.orders.push(order);
    if (fault === "503_made") return json(503, { errors: [{ code: "service_unavailable", message: "down" }] });
    if (fault === "unreadable") return { status: 201, headers: {}, text: "{" };
    return json(201, { id: order.id, certificate_id: null, requests: [{ id: order.id + 1, status: "pending" }] });
  }
}

const FAULTS = ["refused", "reset_before", "reset_after", "503", "503_made", "429", "proxy_404", "unreadable", "slow"] as const;
type Fault = (typeof FAULTS)[number] | "none";

function json(status: number, body: unknown, retryAfter = false): V2HttpResponse {
  return { status, headers: retryAfter ? { "retry-after": "2" } : {}, text: JSON.stringify(body) };
}
