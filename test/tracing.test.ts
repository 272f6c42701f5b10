import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { request } from "undici";
import { beforeEach, describe, expect, it, onTestFinished } from "vitest";
import { z } from "zod";
import { type FakeV2, startFakeV2 } from "./support/fake-v2.js";
import { orderRequest, sendHttpMessage } from "./support/http-files.js";
import { spawnShim } from "./support/process.js";

// OTLP/HTTP with JSON, as the exporter sends it: resource spans, scope spans, spans.
const attributeSchema = z.object({
  key: z.string(),
  value: z.object({ stringValue: z.string().optional(), intValue: z.union([z.string(), z.number()]).optional() }),
});
const spanSchema = z.object({
  traceId: z.string(),
  spanId: z.string(),
  parentSpanId: z.string().optional(),
  name: z.string(),
  attributes: z.array(attributeSchema).default([]),
});
const exportSchema = z.object({
  resourceSpans: z.array(
    z.object({
      resource: z.object({ attributes: z.array(attributeSchema) }),
      scopeSpans: z.array(z.object({ spans: z.array(spanSchema) })),
    }),
  ),
});
type Span = z.infer<typeof spanSchema>;

interface Receiver {
  url: string;
  exports: { path: string; headers: IncomingHttpHeaders; body: string }[];
  spans(): Span[];
  resourceAttributes(): Record<string, string | undefined>;
  close(): Promise<void>;
}

/** An OTLP receiver on loopback: records every export and answers 200 as a collector does. */
async function startReceiver(): Promise<Receiver> {
  const exports: Receiver["exports"] = [];
  const server: Server = createServer(async (req, res) => {
    let body = "";
    for await (const chunk of req) body += chunk;
    exports.push({ path: req.url ?? "", headers: req.headers, body });
    res.writeHead(200, { "Content-Type": "application/json" }).end("{}");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const parsed = () => exports.map((e) => exportSchema.parse(JSON.parse(e.body)));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    exports,
    spans: () => parsed().flatMap((e) => e.resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans))),
    resourceAttributes: () =>
      Object.fromEntries(
        parsed().flatMap((e) => e.resourceSpans.flatMap((r) => r.resource.attributes.map((a) => [a.key, a.value.stringValue]))),
      ),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

const attributes = (span: Span) =>
  Object.fromEntries(
    span.attributes.map((a) => [a.key, a.value.stringValue ?? (a.value.intValue === undefined ? undefined : Number(a.value.intValue))]),
  );

const TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
const PARENT_SPAN = "00f067aa0ba902b7";
const COLLECTOR_TOKEN = "collector-token-4242";

let fake: FakeV2;
let receiver: Receiver;
beforeEach(async () => {
  [fake, receiver] = await Promise.all([startFakeV2(), startReceiver()]);
  onTestFinished(() => receiver.close());
});
const spawn = spawnShim;

const logLines = (stdout: string) =>
  stdout
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>);

describe("tracing with OpenTelemetry (OTEL_EXPORTER_OTLP_ENDPOINT)", () => {
  it("makes each legacy request a span joined to its traceparent, each v2 call a child span, and puts trace_id in the log line", async () => {
    // The first send loses its answer: a send, a look-up, a second send.
    fake.script({ drop: true });
    const shim = spawn({
      DIGICERT_API_URL: fake.url,
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
      OTEL_EXPORTER_OTLP_HEADERS: `authorization=Bearer ${COLLECTOR_TOKEN}`,
      OTEL_SERVICE_NAME: "shim-under-test",
      SHIM_RETRY_BASE_MS: "10",
    });
    const url = `http://127.0.0.1:${await shim.listening}`;
    const seed = orderRequest();
    const order = await sendHttpMessage(url, { ...seed, headers: [...seed.headers, ["traceparent", `00-${TRACE_ID}-${PARENT_SPAN}-01`]] });
    expect(order.status).toBe(201);
    const orderId = (JSON.parse(order.text) as { order_id: number }).order_id;
    const details = await request(`${url}/order/${orderId}`, {
      headers: { Authorization: seed.headers.find(([n]) => n === "Authorization")![1] },
    });
    expect(details.statusCode).toBe(200);
    await details.body.dump();
    expect(await shim.stop()).toBe(0);

    // The drain sent every span before the process exited.
    expect(receiver.exports.every((e) => e.path === "/v1/traces")).toBe(true);
    expect(receiver.exports[0]?.headers.authorization).toBe(`Bearer ${COLLECTOR_TOKEN}`);
    expect(receiver.resourceAttributes()["service.name"]).toBe("shim-under-test");
    const spans = receiver.spans();
    const orderSpan = spans.find((s) => s.name === "POST /order/code")!;
    expect(orderSpan).toMatchObject({ traceId: TRACE_ID, parentSpanId: PARENT_SPAN });
    expect(attributes(orderSpan)).toMatchObject({
      "http.request.method": "POST",
      "http.route": "/order/code",
      "http.response.status_code": 201,
    });

    const log = logLines(shim.stdout()).find((line) => line.msg === "request" && line.path === "/order/code")!;
    expect(log.trace_id).toBe(TRACE_ID);
    const v2Spans = spans.filter((s) => s.parentSpanId === orderSpan.spanId);
    expect(v2Spans.map((s) => [s.name, attributes(s)["v2.attempt"], attributes(s)["v2.status"]])).toEqual([
      ["v2 create_order", 1, expect.stringMatching(/^(UND_ERR_SOCKET|ECONNRESET)$/)],
      // The look-up finds none: v2 answers 200 with an empty page.
      ["v2 find_by_alternative_id", 1, 200],
      ["v2 create_order", 2, 201],
    ]);
    for (const span of v2Spans) {
      expect(span.traceId).toBe(TRACE_ID);
      expect(attributes(span).alternative_order_id).toBe(log.alternative_order_id);
    }

    // The read, with no traceparent, is a trace of its own, with its v2 call under it.
    const readSpan = spans.find((s) => s.name === "GET /order/:order_id")!;
    expect(readSpan.traceId).not.toBe(TRACE_ID);
    const read = spans.find((s) => s.parentSpanId === readSpan.spanId)!;
    expect([read.name, attributes(read)]).toEqual([
      "v2 get_order",
      expect.objectContaining({ "v2.attempt": 1, "v2.status": 200, "v2.order_id": orderId }),
    ]);

    // No credential or key is anywhere in what was exported.
    const exported = receiver.exports.map((e) => e.body).join("\n");
    for (const secret of ["skyfall", "MDAxMDA3OnNreWZhbGw=", COLLECTOR_TOKEN]) expect(exported).not.toContain(secret);
  });

  it("without OTEL_EXPORTER_OTLP_ENDPOINT: no export, no trace_id, and a traceparent changes nothing", async () => {
    const shim = spawn({ DIGICERT_API_URL: fake.url });
    const url = `http://127.0.0.1:${await shim.listening}`;
    const seed = orderRequest();
    const order = await sendHttpMessage(url, { ...seed, headers: [...seed.headers, ["traceparent", `00-${TRACE_ID}-${PARENT_SPAN}-01`]] });
    expect(order.status).toBe(201);
    expect(await shim.stop()).toBe(0);
    expect(receiver.exports).toHaveLength(0);
    const log = logLines(shim.stdout()).find((line) => line.msg === "request")!;
    expect(log).not.toHaveProperty("trace_id");
  });
});
