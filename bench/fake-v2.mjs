import { createServer } from "node:http";

// A v2 that costs next to nothing, so that the benchmark measures what stands in
// front of it. Plain node:http, no parsing, no sandbox: it reads nothing of the
// body, unless asked to record what it was sent (for the peer check, not under load).

const ORDER_PATHS = new Set(["/services/v2/order/certificate/code_signing_ev", "/services/v2/order/certificate/code_signing"]);
const NOT_FOUND = JSON.stringify({ errors: [{ code: "not_found", message: "Not found" }] });

/**
 * @typedef {object} FakeV2
 * @property {string} baseUrl what the shim gets as DIGICERT_API_URL
 * @property {string} orderUrl the EV order endpoint, for the pass-through
 * @property {() => number} orders orders made so far
 * @property {() => number} peakInFlight most orders held at once (made, not yet answered)
 * @property {(delayMs: number) => void} setDelay how long each order's answer waits from now on; starts a new count of peakInFlight
 * @property {(on: boolean) => void} record keep every order's request from now on, or stop
 * @property {() => RecordedOrder[]} takeRecorded the orders recorded since the last call
 * @property {() => Promise<void>} close
 */

/** @typedef {{ path: string, headers: import("node:http").IncomingHttpHeaders, body: string }} RecordedOrder */

/** @param {{ delayMs?: number }} [options] @returns {Promise<FakeV2>} */
export async function startFakeV2({ delayMs = 0 } = {}) {
  let delay = delayMs;
  let nextId = 1;
  let inFlight = 0;
  let peakInFlight = 0;
  /** @type {RecordedOrder[] | null} */
  let recorded = null;

  const server = createServer((req, res) => {
    const isOrder = req.method === "POST" && ORDER_PATHS.has(req.url ?? "");
    const chunks = /** @type {Buffer[]} */ ([]);
    const keep = isOrder ? recorded : null;
    // The body must be consumed for the connection to be kept alive.
    if (keep) req.on("data", (chunk) => chunks.push(chunk));
    else req.resume();
    req.once("end", () => {
      keep?.push({ path: req.url ?? "", headers: req.headers, body: Buffer.concat(chunks).toString("utf8") });
      if (!isOrder) {
        res.writeHead(404, { "content-type": "application/json" });
        res.end(NOT_FOUND);
        return;
      }
      // Counted as made on arrival, as v2 would: an answer lost afterwards is a lost order.
      const id = nextId++;
      inFlight++;
      peakInFlight = Math.max(peakInFlight, inFlight);
      const answer = () => {
        inFlight--;
        res.writeHead(201, { "content-type": "application/json" });
        res.end(JSON.stringify({ id, requests: [{ id: 1, status: "pending" }] }));
      };
      if (delay > 0) setTimeout(answer, delay);
      else answer();
    });
  });

  // Thousands of orders may connect at once in the slow run; the default backlog (511) would drop SYNs.
  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen({ port: 0, host: "127.0.0.1", backlog: 4096 }, () => resolve(undefined));
  });
  const address = server.address();
  if (!address || typeof address === "string") throw new Error("the fake v2 has no port");
  const baseUrl = `http://127.0.0.1:${address.port}/services/v2`;

  return {
    baseUrl,
    orderUrl: `${baseUrl}/order/certificate/code_signing_ev`,
    orders: () => nextId - 1,
    peakInFlight: () => peakInFlight,
    setDelay: (ms) => {
      delay = ms;
      peakInFlight = inFlight;
    },
    record: (on) => {
      recorded = on ? [] : null;
    },
    takeRecorded: () => (recorded ?? []).splice(0),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
