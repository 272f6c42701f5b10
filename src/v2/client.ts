import type { V2Reply } from "../mapping/order-response.js";
import type { V2OrderBody, V2Product } from "./schema.js";
import type { V2Transport } from "./transport.js";

const USER_AGENT = "digicert-v1-shim";

/** The v2 calls the shim makes, each answered as a V2Reply; the API key travels as X-DC-DEVKEY. */
export class V2Client {
  constructor(private readonly transport: V2Transport) {}

  createOrder(product: V2Product, body: V2OrderBody, apiKey: string, signal?: AbortSignal): Promise<V2Reply> {
    return this.call("POST", `/order/certificate/${product}`, apiKey, JSON.stringify(body), signal);
  }

  private async call(method: "GET" | "POST", path: string, apiKey: string, body?: string, signal?: AbortSignal): Promise<V2Reply> {
    const headers: Record<string, string> = { "X-DC-DEVKEY": apiKey, Accept: "application/json", "User-Agent": USER_AGENT };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    try {
      const response = await this.transport({ method, path, headers, body, signal });
      const retryAfter = response.headers["retry-after"];
      return { kind: "answer", status: response.status, body: parseJson(response.text), retryAfter: Array.isArray(retryAfter) ? retryAfter[0] : retryAfter };
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
function describeFailure(error: unknown): string {
  if (error instanceof Error) {
    const code = "code" in error && typeof error.code === "string" ? error.code : undefined;
    return code ?? error.name;
  }
  return "unknown failure";
}
