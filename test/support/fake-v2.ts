import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createSandbox, type Sandbox } from "../../src/v2/sandbox.js";

export interface RecordedRequest {
  method: string;
  /** Below the v2 base, e.g. `/order/certificate/code_signing_ev`. */
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** What the fake says to the next request; anything not scripted goes to a sandbox. */
export type ScriptedAnswer =
  | { status: number; headers?: Record<string, string>; body?: unknown; text?: string; delayMs?: number }
  /** Close the connection without answering, after the request was read. */
  | { drop: true; delayMs?: number };

export interface FakeV2 {
  /** The base URL to give the shim as DIGICERT_API_URL. */
  url: string;
  requests: RecordedRequest[];
  sandbox: Sandbox;
  script(...answers: ScriptedAnswer[]): void;
  close(): Promise<void>;
}

const BASE_PATH = "/services/v2";

/** A v2 over real HTTP on loopback that records every request it receives. */
export async function startFakeV2(): Promise<FakeV2> {
  const requests: RecordedRequest[] = [];
  const queue: ScriptedAnswer[] = [];
  const sandbox = createSandbox({ firstOrderId: 500001 });

  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString("utf8");
    const path = (req.url ?? "").slice(BASE_PATH.length);
    requests.push({ method: req.method ?? "", path, headers: req.headers, body });

    const answer = queue.shift();
    if (answer?.delayMs) await new Promise((resolve) => setTimeout(resolve, answer.delayMs));
    if (answer && "drop" in answer) {
      req.socket.destroy();
      return;
    }
    if (answer) {
      const text = answer.text ?? (answer.body === undefined ? "" : JSON.stringify(answer.body));
      res.writeHead(answer.status, { "Content-Type": "application/json", ...answer.headers });
      res.end(text);
      return;
    }
    const headers = Object.fromEntries(Object.entries(req.headers).filter((e): e is [string, string] => typeof e[1] === "string"));
    const response = await sandbox.app.request(path, { method: req.method ?? "GET", headers, body: body || null });
    res.writeHead(response.status, Object.fromEntries(response.headers));
    res.end(await response.text());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}${BASE_PATH}`,
    requests,
    sandbox,
    script: (...answers) => queue.push(...answers),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
