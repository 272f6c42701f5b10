import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createSandbox, type Sandbox } from "../../src/v2/sandbox.js";
import { closedAfterTest } from "./teardown.js";

export interface RecordedRequest {
  method: string;
  /** Below the v2 base, e.g. `/order/certificate/code_signing_ev`. */
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** performance.now() when it arrived. */
  at: number;
}

/**
 * What the fake does with the next request of its kind; whatever is not
 * scripted goes to a sandbox, which makes and finds orders as v2 does.
 */
export interface ScriptedAnswer {
  /** An order (POST), a look-up by alternative_order_id, or a read of "Order info"; orders by default. */
  for?: "order" | "lookup" | "info";
  /** Instead of `for`: the next request for this path below the base (its query aside), e.g. `/container/42`. */
  path?: string;
  /** Let the sandbox make the order first, then answer as scripted: an answer lost after v2 acted. */
  create?: boolean;
  delayMs?: number;
  /** Answer only once this resolves: an order held at v2 until the test lets it go. */
  until?: Promise<unknown>;
  /** Close the connection without answering. */
  drop?: boolean;
  /** Never answer. */
  hang?: boolean;
  /** Without a status (and without drop or hang): the sandbox's answer, after `delayMs`. */
  status?: number;
  headers?: Record<string, string>;
  body?: unknown;
  text?: string;
}

export interface FakeV2 {
  /** The base URL to give the shim as DIGICERT_API_URL. */
  url: string;
  requests: RecordedRequest[];
  sandbox: Sandbox;
  script(...answers: ScriptedAnswer[]): void;
  close(): Promise<void>;
}

const BASE_PATH = "/services/v2";
const kindOf = (method: string, path: string) =>
  method === "POST" ? "order" : path.startsWith("/order/alternate/") ? "lookup" : path.startsWith("/order/certificate/") ? "info" : "other";

/** A v2 over real HTTP on loopback that records every request it receives. */
export async function startFakeV2(): Promise<FakeV2> {
  const requests: RecordedRequest[] = [];
  const queue: ScriptedAnswer[] = [];
  const sandbox = createSandbox({ firstOrderId: 500001 });

  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString("utf8");
    const method = req.method ?? "GET";
    const path = (req.url ?? "").slice(BASE_PATH.length);
    requests.push({ method, path, headers: req.headers, body, at: performance.now() });

    const kind = kindOf(method, path);
    const index = queue.findIndex((answer) =>
      answer.path === undefined ? (answer.for ?? "order") === kind : answer.path === path.replace(/\?.*$/, ""),
    );
    const answer = index === -1 ? undefined : queue.splice(index, 1)[0]!;
    const headers = Object.fromEntries(Object.entries(req.headers).filter((e): e is [string, string] => typeof e[1] === "string"));
    const toSandbox = () => sandbox.app.request(path, { method, headers, body: body || null });

    if (!answer) {
      const response = await toSandbox();
      res.writeHead(response.status, Object.fromEntries(response.headers));
      res.end(await response.text());
      return;
    }
    const made = answer.create ? await toSandbox() : undefined;
    if (answer.delayMs) await new Promise((resolve) => setTimeout(resolve, answer.delayMs));
    await answer.until;
    if (answer.hang) return;
    if (answer.drop) {
      req.socket.destroy();
      return;
    }
    if (answer.status === undefined) {
      // Only late: the sandbox's own answer.
      const response = made ?? (await toSandbox());
      res.writeHead(response.status, Object.fromEntries(response.headers));
      res.end(await response.text());
      return;
    }
    const text = answer.text ?? (answer.body === undefined ? "" : JSON.stringify(answer.body));
    res.writeHead(answer.status, { "Content-Type": "application/json", ...answer.headers });
    res.end(text);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}${BASE_PATH}`,
    requests,
    sandbox,
    script: (...answers) => queue.push(...answers),
    close: closedAfterTest(
      () =>
        new Promise<void>((resolve) => {
          server.closeAllConnections();
          server.close(() => resolve());
        }),
    ),
  };
}
