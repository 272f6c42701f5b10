import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { buffer } from "node:stream/consumers";
import { bodyOf, type CapturedV2Call, v2CallName } from "../capture/record.js";

/** Where a shim finds replay's v2: DIGICERT_API_URL is this below the origin. */
const BASE_PATH = "/services/v2";

/** A call the shim made during replay, and whether the capture had an answer for it. */
export interface ReplayedV2Call {
  call: CapturedV2Call["call"];
  method: string;
  path: string;
  body?: unknown;
  recorded: boolean;
}

export interface ReplayV2 {
  /** The base URL to give a shim as DIGICERT_API_URL. */
  url: string;
  /** The calls of the request about to be replayed, each to be answered as it was then. */
  expect(calls: readonly CapturedV2Call[]): void;
  /** The calls made since `expect`. */
  seen(): ReplayedV2Call[];
  close(): Promise<void>;
}

/** The answer to a call the capture holds none for: v2's error envelope, so that a shim reads it as v2's own 5xx. */
const UNRECORDED = JSON.stringify({
  errors: [{ code: "replay_unrecorded", message: "v1-shim replay: the capture holds no answer for this call" }],
});

/**
 * A v2 on loopback that answers each call as the capture recorded it: the
 * request's next recorded call of the same kind (an order, a look-up, a read),
 * in order. A recorded lost answer is a dropped connection, whatever its reason
 * was then (replay cannot refuse one connection, or time it out, for one call).
 * A call the capture holds no answer for gets a 503.
 */
export async function startReplayV2(port = 0): Promise<ReplayV2> {
  let waiting: CapturedV2Call[] = [];
  let seen: ReplayedV2Call[] = [];
  const server = createServer(async (req, res) => {
    const text = (await buffer(req)).toString("utf8");
    const method = req.method ?? "GET";
    const path = (req.url ?? "").startsWith(BASE_PATH) ? (req.url ?? "").slice(BASE_PATH.length) : (req.url ?? "");
    const call = v2CallName(method, path);
    const index = waiting.findIndex((recorded) => recorded.call === call && (call !== "other" || recorded.path === path));
    const recorded = index === -1 ? undefined : waiting.splice(index, 1)[0];
    seen.push({ call, method, path, ...(text === "" ? {} : { body: bodyOf(text) }), recorded: recorded !== undefined });
    if (!recorded) {
      res.writeHead(503, { "Content-Type": "application/json" });
      res.end(UNRECORDED);
      return;
    }
    const { answer } = recorded;
    if ("no_answer" in answer) {
      req.socket.destroy();
      return;
    }
    res.writeHead(answer.status, { "Content-Type": "application/json", ...answer.headers });
    res.end(answer.text ?? (answer.body === undefined ? "" : JSON.stringify(answer.body)));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", resolve);
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}${BASE_PATH}`,
    expect: (calls) => {
      waiting = [...calls];
      seen = [];
    },
    seen: () => seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
