import { EventEmitter } from "node:events";
import { Pool } from "undici";

export interface V2HttpRequest {
  method: "GET" | "POST";
  /** Relative to the v2 base, e.g. `/order/certificate/code_signing`. */
  path: string;
  headers: Record<string, string>;
  body?: string;
  /** The whole exchange, connecting included, ends by then. */
  timeoutMs: number;
}

export interface V2HttpResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/** One HTTP exchange with v2; rejects when there is no answer (refused, reset, timed out). */
export type V2Transport = (request: V2HttpRequest) => Promise<V2HttpResponse>;

export interface HttpTransport {
  send: V2Transport;
  /** Waits for the calls in flight. */
  close(): Promise<void>;
  /** Ends the calls in flight at once. */
  destroy(): Promise<void>;
}

/**
 * The most of one v2 answer the shim reads: real answers are a few KiB, and an
 * unbounded read let eight 256 MiB answers take the shim to 2.4 GiB. Past it the
 * connection is closed and the call fails as UND_ERR_RES_EXCEEDED_MAX_SIZE: an
 * answer that was not read, so an order it may have made is looked up.
 */
export const V2_MAX_ANSWER_BYTES = 4 * 1024 * 1024;

/**
 * Keep-alive connections to the v2 base URL (which includes `/services/v2`).
 * undici's Pool rather than fetch: measured here, a pass-through on a Pool
 * does four times the requests per second of one on fetch.
 */
export function httpTransport(baseUrl: string, timeoutMs: number): HttpTransport {
  const base = new URL(baseUrl);
  const prefix = base.pathname.replace(/\/+$/, "");
  const pool = new Pool(base.origin, {
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
    connect: { timeout: timeoutMs },
    maxResponseSize: V2_MAX_ANSWER_BYTES,
  });
  return {
    async send({ method, path, headers, body, timeoutMs }) {
      // undici takes an emitter as its signal: a plain timer bounds the call, without
      // the AbortSignal.timeout per call that the profile showed among the costliest steps.
      const signal = new EventEmitter();
      const timer = setTimeout(() => signal.emit("abort"), timeoutMs);
      try {
        const response = await pool.request({ method, path: prefix + path, headers, body: body ?? null, signal });
        return { status: response.statusCode, headers: response.headers, text: await answerText(response.body) };
      } finally {
        clearTimeout(timer);
      }
    },
    close: () => pool.close(),
    destroy: () => pool.destroy(),
  };
}

/** An answer's body could not be read whole: the request reached v2, and whatever v2 did is not known. */
export const ANSWER_LOST = "ANSWER_LOST";

/**
 * The body of an answer whose head has arrived, as text. Whatever fails now failed
 * after v2 had the request, and says so: undici rejects a body its own size limit or
 * an abort destroyed before it was read with a bare TypeError ("unusable"), which
 * would otherwise read as a request never sent, and be sent again.
 */
export async function answerText(body: { text(): Promise<string> }): Promise<string> {
  try {
    return await body.text();
  } catch (error) {
    const code = error instanceof Error && "code" in error && typeof error.code === "string" ? error.code : ANSWER_LOST;
    throw Object.assign(new Error("the answer could not be read", { cause: error }), { code });
  }
}

/** For the sandbox: a web-standard app called in process, no socket in between, nothing to time out. */
export function inProcessTransport(app: { request(path: string, init: RequestInit): Response | Promise<Response> }): V2Transport {
  return async ({ method, path, headers, body }) => {
    const response = await app.request(path, { method, headers, body: body ?? null });
    return { status: response.status, headers: Object.fromEntries(response.headers), text: await response.text() };
  };
}
