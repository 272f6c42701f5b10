import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { expect } from "vitest";
import { type ScriptedAnswer, startFakeV2 } from "./fake-v2.js";
import { parseHttpMessage, sendHttpMessage } from "./http-files.js";
import { startShim } from "./shim.js";
import { expectSameBody } from "./v1-bodies.js";

// Each folder under fixtures/<group>/ is one paired case, read in this order:
//   v1-request.http  the legacy request, exactly as a client sends it
//   v2-request.json  what v2 must receive, one request or the list of them (absent: nothing)
//   v2-answer.json   what v2 answers (one answer, or a list for several calls)
//   v1-answer.http   what the legacy client must get back (status, the headers listed, body)
//   shim-env.json    optional settings for the shim, as environment variables
//   shim-log.json    optional log lines the shim must write (each matched as a subset of one line)
//   accounts.json    an accounts file, when shim-env.json names it (v1-shim capture-to-fixture writes one
//                    for a request captured in accounts mode)

interface ExpectedV2Request {
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: Record<string, unknown>;
}

const ALTERNATIVE_ORDER_ID = "<alternative_order_id>";

function reader(dir: string) {
  return (file: string): string | undefined => (existsSync(join(dir, file)) ? readFileSync(join(dir, file), "utf8") : undefined);
}

function basicSecret(headers: [string, string][]): string | undefined {
  const authorization = headers.find(([name]) => name.toLowerCase() === "authorization")?.[1];
  const token = authorization?.match(/^Basic (.+)$/)?.[1];
  return token ? Buffer.from(token, "base64").toString("utf8").split(":").slice(1).join(":") : undefined;
}

/** Runs one case: its request against the real server and a recording fake v2 on loopback, held to its files. */
export async function runFixtureCase(dir: string): Promise<void> {
  const read = reader(dir);
  const fake = await startFakeV2();
  const v2Answer = read("v2-answer.json");
  if (v2Answer) fake.script(...([] as ScriptedAnswer[]).concat(JSON.parse(v2Answer)));
  // Retries wait a millisecond or two here: the fixtures show sequences, not timing.
  const shim = await startShim({ DIGICERT_API_URL: fake.url, SHIM_RETRY_BASE_MS: "1", ...JSON.parse(read("shim-env.json") ?? "{}") });
  // Closed here, not only after the test: capture-tools runs a case for every captured request in one test.
  try {
    const request = parseHttpMessage(read("v1-request.http")!);
    const answer = await sendHttpMessage(shim.url, request);

    const expected = parseHttpMessage(read("v1-answer.http")!);
    expect(answer.status, answer.text).toBe(Number(expected.startLine.split(" ")[1]));
    for (const [header, value] of expected.headers) expect(answer.headers[header.toLowerCase()], header).toBe(value);
    if (expected.body === "") expect(answer.text).toBe("");
    else expectSameBody(String(answer.headers["content-type"]), answer.text, expected.body);

    const v2Request = read("v2-request.json");
    if (v2Request === undefined) {
      expect(fake.requests).toEqual([]);
    } else {
      const wanted = ([] as ExpectedV2Request[]).concat(JSON.parse(v2Request));
      // The shim mints the alternative_order_id; the fixtures write it as a placeholder.
      const minted =
        fake.requests.map((r) => (r.method === "POST" ? JSON.parse(r.body).alternative_order_id : undefined)).find(Boolean) ??
        ALTERNATIVE_ORDER_ID;
      if (JSON.stringify(wanted).includes(ALTERNATIVE_ORDER_ID)) {
        expect(minted).toMatch(/^v1shim[0-9a-f]{32}$/);
        const line = shim.logs().find((l) => l.msg === "request");
        expect(line?.alternative_order_id, "the alternative_order_id is logged with the request").toBe(minted);
      }
      const resolved = JSON.parse(JSON.stringify(wanted).replaceAll(ALTERNATIVE_ORDER_ID, minted)) as ExpectedV2Request[];
      expect(fake.requests.map((r) => `${r.method} ${r.path}`)).toEqual(resolved.map((w) => `${w.method} ${w.path}`));
      resolved.forEach((want, i) => {
        const received = fake.requests[i]!;
        expect(received.headers).toMatchObject(want.headers ?? {});
        if (want.body) expect(JSON.parse(received.body)).toEqual(want.body);
      });
    }

    // Translate and order agree: the translate endpoint answers the payload v2
    // receives for the order, or the order's own refusal, and never calls v2.
    const overridden = request.headers.some(([header]) => header.toLowerCase() === "x-http-method-override");
    if (request.startLine.startsWith("POST /order/code") && !overridden) {
      const seen = fake.requests.length;
      const translated = await sendHttpMessage(shim.url, { ...request, startLine: "POST /_shim/translate/order/code HTTP/1.1" });
      expect(fake.requests.length, "translate never calls v2").toBe(seen);
      const firstOrder = v2Request && ([] as ExpectedV2Request[]).concat(JSON.parse(v2Request)).find((r) => r.method === "POST");
      const status = Number(expected.startLine.split(" ")[1]);
      if (firstOrder) {
        expect(translated.status).toBe(200);
        expect(JSON.parse(translated.text)).toEqual({ method: "POST", path: firstOrder.path, body: firstOrder.body });
      } else if (status >= 400 && status < 500) {
        expect(translated.status).toBe(answer.status);
        expect(translated.text).toBe(answer.text);
      } else {
        expect(translated.status).toBe(200);
      }
    }

    const logExpected = read("shim-log.json");
    if (logExpected) {
      const minted = shim.logs().find((l) => l.msg === "request")?.alternative_order_id;
      for (const line of JSON.parse(logExpected.replaceAll(ALTERNATIVE_ORDER_ID, String(minted))) as object[]) {
        expect(shim.logs()).toContainEqual(expect.objectContaining(line));
      }
    }

    const secret = basicSecret(request.headers);
    if (secret) {
      expect(shim.rawLogs.join("\n")).not.toContain(secret);
      expect(answer.text).not.toContain(secret);
    }
  } finally {
    await shim.close();
    await fake.close();
  }
}
