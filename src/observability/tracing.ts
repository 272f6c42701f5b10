import type { Attributes, TextMapGetter } from "@opentelemetry/api";
import { replySummary, type V2Reply } from "../contract/v2-reply.js";
import type { V2Call, V2CallObserver } from "../v2/client.js";

// OpenTelemetry tracing, on only when OTEL_EXPORTER_OTLP_ENDPOINT is set. The
// SDK is imported when tracing starts, never before, so a shim without it
// loads and pays nothing of it. The standard OTEL_* variables apply (service
// name, resource attributes, headers, protocol, sampler, propagators), read by
// the SDK itself. Spans carry ids, statuses and routes, never a header, a key
// or a credential.

/** A legacy request as its span needs it: the headers are only asked for traceparent and tracestate. */
interface TracedRequest {
  method: string;
  path: string;
  requestId: string;
  header(name: string): string | undefined;
}

/** How the request ended, once answered. */
export interface TracedAnswer {
  status: number;
  route: string;
}

export interface Tracing {
  /** Runs one legacy request inside its span (joined to an incoming W3C traceparent); `handle` is given the trace id. */
  traceRequest<A extends TracedAnswer>(request: TracedRequest, handle: (traceId: string) => Promise<A>): Promise<A>;
  /** Each v2 call as a child span of the request it serves. */
  observeV2Call: V2CallObserver;
  /** Sends the spans not yet exported; the drain waits for it. */
  shutdown(): Promise<void>;
}

const TRACER = "digicert-v1-shim";

/** A reply that says v2 or the way to it failed, as opposed to a refusal v2 meant. */
const failed = (reply: V2Reply) => reply.kind !== "answer" || reply.status >= 500;

/** Starts the OpenTelemetry SDK for traces only (the shim's metrics are Prometheus', its logs pino's). */
export async function startTracing(env: NodeJS.ProcessEnv): Promise<Tracing> {
  const [api, { NodeSDK }] = await Promise.all([import("@opentelemetry/api"), import("@opentelemetry/sdk-node")]);
  const named = env.OTEL_SERVICE_NAME || /(^|,)\s*service\.name=/.test(env.OTEL_RESOURCE_ATTRIBUTES ?? "");
  const sdk = new NodeSDK({ serviceName: named ? undefined : TRACER, metricReaders: [], logRecordProcessors: [], instrumentations: [] });
  sdk.start();
  const tracer = api.trace.getTracer(TRACER);
  const getter: TextMapGetter<TracedRequest> = {
    keys: () => ["traceparent", "tracestate"],
    get: (request, key) => request.header(key),
  };

  return {
    async traceRequest(request, handle) {
      const parent = api.propagation.extract(api.ROOT_CONTEXT, request, getter);
      const span = tracer.startSpan(
        request.method,
        {
          kind: api.SpanKind.SERVER,
          attributes: { "http.request.method": request.method, "url.path": request.path, "shim.req_id": request.requestId },
        },
        parent,
      );
      try {
        const answer = await api.context.with(api.trace.setSpan(parent, span), () => handle(span.spanContext().traceId));
        span.updateName(`${request.method} ${answer.route}`);
        span.setAttributes({ "http.route": answer.route, "http.response.status_code": answer.status });
        if (answer.status >= 500) span.setStatus({ code: api.SpanStatusCode.ERROR });
        return answer;
      } catch (error) {
        // No message: it could quote anything; the log line has the details.
        span.setStatus({ code: api.SpanStatusCode.ERROR });
        throw error;
      } finally {
        span.end();
      }
    },

    observeV2Call(call: V2Call, reply, seconds, subject) {
      // Told once the call ended: the span is dated back to its start, under the request's span (the active one).
      const end = performance.timeOrigin + performance.now();
      const attributes: Attributes = { "v2.call": call, "v2.attempt": subject.attempt, "v2.status": replySummary(reply) };
      if (subject.alternativeOrderId !== undefined) attributes.alternative_order_id = subject.alternativeOrderId;
      if (subject.orderId !== undefined) attributes["v2.order_id"] = subject.orderId;
      if (reply.kind === "answer") attributes["http.response.status_code"] = reply.status;
      const span = tracer.startSpan(`v2 ${call}`, { kind: api.SpanKind.CLIENT, startTime: end - seconds * 1000, attributes });
      if (failed(reply)) span.setStatus({ code: api.SpanStatusCode.ERROR });
      span.end(end);
    },

    shutdown: () => sdk.shutdown(),
  };
}
