import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import { V1_ORDER_FIELDS } from "../contract/v1-order.js";
import { replyLabel, type V2Reply } from "../contract/v2-reply.js";
import { SHIM_VERSION } from "../contract/version.js";
import type { OrderLedger, StoreUpkeep } from "../state/store.js";
import type { V2Call } from "../v2/client.js";
import type { RequestRecord } from "./request-log.js";

const KNOWN_FIELDS: ReadonlySet<string> = new Set([...V1_ORDER_FIELDS, "order_id"]);

/** The migration plan's refusals, by the kind counted. */
const MIGRATION_REFUSALS: Partial<Record<NonNullable<RequestRecord["migration"]>, string>> = {
  brownout_refused: "brownout",
  sunset_refused: "sunset",
};

/**
 * Prometheus metrics (prom-client). Every label takes few values: routes as
 * registered, statuses, formats, v1 field names; never account ids or agents.
 */
export class ShimMetrics {
  readonly registry = new Registry();
  readonly #requests = new Counter({
    name: "shim_requests_total",
    help: "Legacy requests answered, by route, status and format.",
    labelNames: ["route", "status", "format"],
    registers: [this.registry],
  });
  readonly #v2Calls = new Counter({
    name: "shim_v2_calls_total",
    help: "Calls to v2, by call and outcome.",
    labelNames: ["call", "outcome"],
    registers: [this.registry],
  });
  readonly #v2Seconds = new Histogram({
    name: "shim_v2_call_duration_seconds",
    help: "How long v2 took to answer, by call.",
    labelNames: ["call"],
    buckets: [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });
  readonly #resends = new Counter({
    name: "shim_order_resends_total",
    help: "Orders sent to v2 again after v2 said it held none.",
    registers: [this.registry],
  });
  readonly #recovered = new Counter({
    name: "shim_orders_recovered_total",
    help: "Orders whose answer was lost, found by their alternative_order_id.",
    registers: [this.registry],
  });
  readonly #replayed = new Counter({
    name: "shim_orders_replayed_total",
    help: "Client retries of an order answered with its earlier placement instead of a new order.",
    registers: [this.registry],
  });
  readonly #validation = new Counter({
    name: "shim_validation_failures_total",
    help: "Refused v1 fields, by field.",
    labelNames: ["field"],
    registers: [this.registry],
  });

  readonly #requestSeconds = new Histogram({
    name: "shim_http_request_duration_seconds",
    help: "How long the shim took to answer a legacy request, by route and status class (2xx, 4xx, 5xx).",
    labelNames: ["route", "status_class"],
    // From a refusal (a millisecond) to an order that waited out v2's retries (SHIM_DEADLINE_MS, 55 s).
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [this.registry],
  });

  readonly #unprotected = new Counter({
    name: "shim_orders_unprotected_total",
    help: "Orders placed while the state store could not be used (failing open): without retry protection or a ledger record; each logged at warn.",
    registers: [this.registry],
  });

  readonly #migrationRefusals = new Counter({
    name: "shim_migration_refusals_total",
    help: "Legacy calls the migration plan refused, nothing sent to v2, by kind: brownout, or sunset.",
    labelNames: ["kind"],
    registers: [this.registry],
  });

  readonly #ledgerWriteFailures = new Counter({
    name: "shim_ledger_write_failures_total",
    help: "Order ledger writes that failed (each logged at error level with what is needed to reconcile).",
    labelNames: ["write"],
    registers: [this.registry],
  });

  readonly #captureRecords = new Counter({
    name: "shim_capture_records_total",
    help: "With SHIM_CAPTURE_DIR: capture records written, or dropped because the buffer was full or the write failed.",
    labelNames: ["outcome"],
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
    // Both kinds from the start, so that a rate over them is defined before the first refusal.
    for (const kind of Object.values(MIGRATION_REFUSALS)) this.#migrationRefusals.inc({ kind }, 0);
    new Gauge({
      name: "shim_build_info",
      help: "Always 1: the shim's version and the Node.js it runs on, as labels.",
      labelNames: ["version", "node"],
      registers: [this.registry],
    }).set({ version: SHIM_VERSION, node: process.version }, 1);
  }

  /** A gauge whose value is read at each scrape. */
  #readAtScrape(name: string, help: string, read: () => number): void {
    new Gauge({
      name,
      help,
      registers: [this.registry],
      collect() {
        this.set(read());
      },
    });
  }

  /** The legacy requests being answered now (the lifecycle's count). */
  watchInFlight(inFlight: () => number): void {
    this.#readAtScrape("shim_http_requests_in_flight", "Legacy requests taken and not yet answered.", inFlight);
  }

  /** With TLS: when the certificate served now expires (a SIGHUP reload changes it). */
  watchTlsCertificate(notAfterMs: () => number): void {
    this.#readAtScrape(
      "shim_tls_certificate_not_after_seconds",
      "When the TLS certificate the shim serves expires, in seconds since the Unix epoch.",
      () => notAfterMs() / 1000,
    );
  }

  /**
   * The state store's health, and the orders whose outcome is unknown (the ones
   * to reconcile), read from the store at each scrape; while the store is down the
   * last count read stays.
   */
  watchState(state: StoreUpkeep & OrderLedger & { readonly up: boolean }): void {
    new Gauge({
      name: "shim_state_up",
      help: "1 while the state store answers, 0 while it is down.",
      labelNames: ["backend"],
      registers: [this.registry],
      collect() {
        this.set({ backend: state.backend }, state.up ? 1 : 0);
      },
    });
    new Gauge({
      name: "shim_orders_unknown",
      help: "Orders in the ledger whose outcome is unknown: v2 may hold them; reconcile (GET /_shim/orders?state=unknown).",
      registers: [this.registry],
      async collect() {
        if (!state.up) return;
        const unknown = await state.countPlacements("unknown").catch(() => undefined);
        if (unknown !== undefined) this.set(unknown);
      },
    });
  }

  readonly orderUnprotected = (): void => {
    this.#unprotected.inc();
  };

  readonly ledgerWriteFailed = (write: "placing" | "outcome"): void => {
    this.#ledgerWriteFailures.inc({ write });
  };

  readonly captureRecords = (outcome: "written" | "buffer_full" | "write_failed", records: number): void => {
    this.#captureRecords.inc({ outcome }, records);
  };

  readonly observeRequest = (record: RequestRecord): void => {
    this.#requests.inc({ route: record.route, status: String(record.status), format: record.format ?? "none" });
    this.#requestSeconds.observe({ route: record.route, status_class: `${Math.floor(record.status / 100)}xx` }, record.duration_ms / 1000);
    if (record.v2_sends && record.v2_sends > 1) this.#resends.inc(record.v2_sends - 1);
    if (record.recovered_by_lookup) this.#recovered.inc();
    if (record.replayed_from) this.#replayed.inc();
    const refusal = record.migration && MIGRATION_REFUSALS[record.migration];
    if (refusal) this.#migrationRefusals.inc({ kind: refusal });
    for (const code of record.errors ?? []) {
      const [kind, field = ""] = code.split(":");
      if (kind === "required_param" || kind === "invalid_param") this.#validation.inc({ field: KNOWN_FIELDS.has(field) ? field : "other" });
    }
  };

  readonly observeV2Call = (call: V2Call, reply: V2Reply, seconds: number): void => {
    this.#v2Calls.inc({ call, outcome: replyLabel(reply) });
    if (reply.kind !== "paced") this.#v2Seconds.observe({ call }, seconds);
  };
}
