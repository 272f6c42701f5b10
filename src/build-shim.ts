import { authenticateAccount } from "./accounts/authenticate.js";
import { FailedLogins } from "./accounts/failed-logins.js";
import type { AccountRegistry } from "./accounts/registry.js";
import { createApps, type ShimApps } from "./app.js";
import type { Config } from "./config/config.js";
import { type Authenticator, passthroughAccount } from "./http/basic-auth.js";
import type { RequestCapture } from "./http/capture-hook.js";
import { Lifecycle } from "./http/lifecycle.js";
import { Stops } from "./lib/stops.js";
import { migrationPlanFor } from "./migration/plan-file.js";
import { PlanInUse } from "./migration/plan-in-use.js";
import { ClientUsage } from "./observability/client-usage.js";
import type { Logger } from "./observability/log.js";
import { ShimMetrics } from "./observability/metrics.js";
import { ReplicaHeartbeat } from "./observability/replica-heartbeat.js";
import type { Tracing } from "./observability/tracing.js";
import { OrderDesk, REAL_WORLD } from "./ordering/desk.js";
import { Reconciler } from "./ordering/reconciler.js";
import { describeState, openState, sweepEvery } from "./state/open.js";
import { type ResilientStore, resilientStore } from "./state/resilient.js";
import type { StateStore } from "./state/store.js";
import { type V2CallObserver, V2Client } from "./v2/client.js";
import { KnownKeys, Pacer } from "./v2/pacer.js";
import { createSandbox, type Sandbox } from "./v2/sandbox.js";
import { httpTransport, inProcessTransport, type V2Transport } from "./v2/transport.js";

/** Parts a test puts in place of the ones the settings make; the shim never takes them. */
export interface Replacements {
  v2?: V2Client;
  state?: StateStore;
  lifecycle?: Lifecycle;
  authenticate?: Authenticator;
  metrics?: ShimMetrics;
  capture?: RequestCapture;
}

export interface ShimOptions {
  /** Accounts mode: the legacy accounts, checked on every request. */
  accounts?: AccountRegistry | undefined;
  /** The migration plan, to replace on SIGHUP; by default the one the settings give (src/migration/plan-file.ts). */
  migration?: PlanInUse;
  replace?: Replacements;
}

/** The shim, built and running its timers, not yet listening. */
export interface Shim {
  apps: ShimApps;
  lifecycle: Lifecycle;
  metrics: ShimMetrics;
  /** The migration plan in use: SIGHUP replaces it. */
  migration: PlanInUse;
  /** Present when no DIGICERT_API_URL is configured and the built-in sandbox stands in for v2. */
  sandbox: Sandbox | undefined;
  /** Stops every part it started, last first: once requests are drained. */
  stop(): Promise<void>;
}

/** How often the state store forgets what is past its retention and marks abandoned placements unknown. */
const SWEEP_EVERY_MS = 60_000;

/**
 * The one composition root: the shim's parts made from its settings and wired
 * together, each registering what stops it. `main.ts`, the tests (in process and
 * listening) and the benchmark's server all build the shim here.
 */
export async function buildShim(config: Config, logger: Logger, options: ShimOptions = {}): Promise<Shim> {
  const { accounts, replace = {} } = options;
  const stops = new Stops((name, error) => logger.error({ err: error, part: name }, "a part of the shim did not stop cleanly"));
  const metrics = replace.metrics ?? new ShimMetrics();
  const state = await stateFor(config, logger, replace.state);
  stops.add("state store", () => state.close());
  metrics.watchState(state);
  const { ledgerRetentionMs, clientsRetentionMs } = config.state;
  stops.add(
    "sweep",
    sweepEvery(state, SWEEP_EVERY_MS, () => ({ now: Date.now(), ledgerRetentionMs, clientsRetentionMs })),
  );
  // Imported only when asked for, so that a shim without tracing loads none of OpenTelemetry.
  const tracing: Tracing | undefined = config.otlpEndpoint
    ? await (await import("./observability/tracing.js")).startTracing(process.env)
    : undefined;
  if (tracing) stops.add("tracing", () => tracing.shutdown());
  const recorder = replace.capture ? undefined : await captureFor(config, logger, metrics, accounts ? "accounts" : "passthrough");
  if (recorder) stops.add("capture", () => recorder.close());
  const capture = replace.capture ?? recorder;
  // Accounts mode's keys are the operator's: each has its own pacing. In passthrough only keys v2 has accepted do.
  const knownKeys = accounts ? undefined : new KnownKeys(state, clientsRetentionMs);
  const { send, sandbox } = v2Transport(config, stops);
  const pacer = new Pacer(config.v2RateLimits, state, knownKeys && { newKeys: { windows: config.v2NewKeyRateLimits, known: knownKeys } });
  const v2 = replace.v2 ?? new V2Client(recorder ? recorder.transport(send) : send, pacer, v2Observer(metrics, tracing));
  // Not ready while a required store is down: every order would be refused until it is back.
  const lifecycle = replace.lifecycle ?? new Lifecycle(() => config.state.required && !state.up);
  metrics.watchInFlight(() => lifecycle.inFlight);
  const usage = new ClientUsage(state, { retentionMs: clientsRetentionMs });
  usage.start();
  stops.add("clients view", () => usage.stop());
  const heartbeat = new ReplicaHeartbeat(state, { replicaId: config.state.replicaId });
  heartbeat.start();
  stops.add("heartbeat", () => heartbeat.stop());
  const desk = orderDeskFor(config, state, v2, logger, metrics, accounts ? "account" : "key");
  state.whenBack(() => desk.storeIsBack());
  stops.add("order desk", () => desk.flush());
  startReconciler(config, state, v2, logger, accounts, stops);
  const authenticate = replace.authenticate ?? authenticatorFor(config, state, logger, accounts, knownKeys);
  const migration = options.migration ?? new PlanInUse(migrationPlanFor(config));
  const parts = { config, logger, v2, lifecycle, authenticate, metrics, state, usage, desk, tracing, migration, heartbeat, capture };
  return { apps: createApps(parts), lifecycle, metrics, migration, sandbox, stop: () => stops.stopAll() };
}

/** The store SHIM_STATE names (or a test's), behind ResilientStore, its failures and recoveries logged. */
async function stateFor(config: Config, logger: Logger, replacement: StateStore | undefined): Promise<ResilientStore> {
  const where = describeState(config.state.spec);
  const meaning = config.state.required
    ? "orders are refused (503 state_unavailable) until it is back"
    : "pacing and failed logins are done by this process alone, and the ledger and the clients view are not written, until it is back";
  const reports = {
    required: config.state.required,
    onDown: (error: unknown, operation: string) =>
      logger.error(
        { state: where, operation, error: (error instanceof Error ? error.message : String(error)).slice(0, 200) },
        `the state store cannot be reached: ${meaning}`,
      ),
    onUp: () => logger.info({ state: where }, "the state store answers again: state is shared again"),
  };
  if (replacement) return resilientStore(replacement, { ...reports, upAtStart: true });
  return openState(config.state.spec, { ...reports, ledgerRetentionMs: config.state.ledgerRetentionMs });
}

/** With SHIM_CAPTURE_DIR. Imported only when asked for: with capture off, no request pays anything for it. */
async function captureFor(config: Config, logger: Logger, metrics: ShimMetrics, mode: "accounts" | "passthrough") {
  if (!config.capture) return undefined;
  const { startCapture } = await import("./capture/recorder.js");
  return startCapture({ config, mode, logger, count: metrics.captureRecords });
}

/** v2 itself with DIGICERT_API_URL, its connection pool closed last; otherwise the built-in sandbox, called in process. */
function v2Transport(config: Config, stops: Stops): { send: V2Transport; sandbox: Sandbox | undefined } {
  if (!config.digicertApiUrl) {
    const sandbox = createSandbox({ issueAfterMs: config.sandboxIssueAfterMs, maxYears: config.sandboxMaxYears });
    return { send: inProcessTransport(sandbox.app), sandbox };
  }
  const upstream = httpTransport(config.digicertApiUrl, config.retry.timeoutMs);
  // The pool waits for its calls in flight (an order the drain abandoned may have one), for a second at most.
  stops.add("v2 connection pool", () => {
    const timer = setTimeout(() => void upstream.destroy(), 1_000);
    return upstream.close().finally(() => clearTimeout(timer));
  });
  return { send: upstream.send, sandbox: undefined };
}

function v2Observer(metrics: ShimMetrics, tracing: Tracing | undefined): V2CallObserver {
  if (!tracing) return metrics.observeV2Call;
  return (call, reply, seconds, subject) => {
    metrics.observeV2Call(call, reply, seconds);
    tracing.observeV2Call(call, reply, seconds, subject);
  };
}

/** Who a request acts for: the accounts file's accounts, or passthrough, whose credentials count once v2 has accepted the key. */
function authenticatorFor(
  config: Config,
  state: StateStore,
  logger: Logger,
  accounts: AccountRegistry | undefined,
  knownKeys: KnownKeys | undefined,
): Authenticator {
  if (!accounts) return passthroughAccount(knownKeys);
  return authenticateAccount({ registry: accounts, failedLogins: new FailedLogins(state), logger, trustProxyHops: config.trustProxyHops });
}

/** Accounts mode knows each account's v2 key, so it can look up the ledger's unknown orders by itself. */
function startReconciler(
  config: Config,
  state: StateStore,
  v2: V2Client,
  logger: Logger,
  accounts: AccountRegistry | undefined,
  stops: Stops,
): void {
  if (!accounts || config.reconcile.intervalMs <= 0) return;
  const reconciler = new Reconciler(state, v2, (accountId) => accounts.v2KeyOf(accountId), logger, {
    intervalMs: config.reconcile.intervalMs,
    forMs: config.reconcile.forMs,
    replicaId: config.state.replicaId,
    limits: { timeoutMs: config.retry.timeoutMs, maxPaceWaitMs: config.retry.paceMaxWaitMs },
  });
  reconciler.start();
  stops.add("reconciler", () => reconciler.stop());
}

/** The order desk on the state store and v2, what it could not write logged for reconciliation and counted. */
function orderDeskFor(
  config: Config,
  state: StateStore,
  v2: V2Client,
  logger: Logger,
  metrics: ShimMetrics,
  identity: "account" | "key",
): OrderDesk {
  const { deadlineMs: _, ...policy } = config.retry;
  const options = {
    replicaId: config.state.replicaId,
    identity,
    windowMs: config.retryWindow.windowMs,
    required: config.state.required,
    policy,
    fingerprintKey: config.retryWindow.fingerprintKey,
  };
  return new OrderDesk(state, v2, logger, options, REAL_WORLD, {
    unprotected: metrics.orderUnprotected,
    ledgerWriteFailed: metrics.ledgerWriteFailed,
  });
}
