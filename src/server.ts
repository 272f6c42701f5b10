import type { AddressInfo } from "node:net";
import { type ServerType, serve } from "@hono/node-server";
import { authenticateAccount } from "./accounts/authenticate.js";
import { FailedLogins } from "./accounts/failed-logins.js";
import type { AccountRegistry } from "./accounts/registry.js";
import { createApp, orderLedgerFor } from "./app.js";
import type { Config } from "./config/config.js";
import { answerClientError } from "./http/client-errors.js";
import { deprecationHeaders } from "./http/deprecation.js";
import { Lifecycle } from "./http/lifecycle.js";
import { ClientUsage } from "./observability/client-usage.js";
import type { Logger } from "./observability/log.js";
import { ShimMetrics } from "./observability/metrics.js";
import { describeState, openState, sweepEvery } from "./state/open.js";
import type { ResilientStore } from "./state/resilient.js";
import { V2Client } from "./v2/client.js";
import { KnownKeys, Pacer } from "./v2/pacer.js";
import { createSandbox, type Sandbox } from "./v2/sandbox.js";
import { httpTransport, inProcessTransport } from "./v2/transport.js";

export interface RunningServer {
  server: ServerType;
  port: number;
  /** Present when no DIGICERT_API_URL is configured and the built-in sandbox stands in for v2. */
  sandbox: Sandbox | undefined;
  lifecycle: Lifecycle;
  /**
   * Stops taking connections and requests, lets those in flight finish (each
   * within its deadline), then closes. False when `timeoutMs` cut it short.
   */
  drain(timeoutMs: number): Promise<boolean>;
}

export interface ServerOptions {
  /** Accounts mode: the legacy accounts, checked on every request. */
  accounts?: AccountRegistry;
}

/** How often the state store forgets what is past its retention and marks abandoned placements unknown. */
const SWEEP_EVERY_MS = 60_000;

/** The store SHIM_STATE names, its failures and recoveries logged. */
function openStateFor(config: Config, logger: Logger): Promise<ResilientStore> {
  const where = describeState(config.state.spec);
  const meaning = config.state.required
    ? "orders are refused (503 state_unavailable) until it is back"
    : "pacing and failed logins are done by this process alone, and the ledger and the clients view are not written, until it is back";
  return openState(config.state.spec, {
    required: config.state.required,
    ledgerRetentionMs: config.state.ledgerRetentionMs,
    onDown: (error, operation) =>
      logger.error(
        { state: where, operation, error: (error instanceof Error ? error.message : String(error)).slice(0, 200) },
        `the state store cannot be reached: ${meaning}`,
      ),
    onUp: () => logger.info({ state: where }, "the state store answers again: state is shared again"),
  });
}

/** The shim wired to v2 (or to its sandbox) and listening; resolves once it accepts connections. */
export async function startServer(config: Config, logger: Logger, options: ServerOptions = {}): Promise<RunningServer> {
  const upstream = config.digicertApiUrl ? httpTransport(config.digicertApiUrl, config.retry.timeoutMs) : undefined;
  const sandbox = upstream ? undefined : createSandbox({ issueAfterMs: config.sandboxIssueAfterMs });
  const metrics = new ShimMetrics();
  const state = await openStateFor(config, logger);
  metrics.watchState(state);
  const stopSweeping = sweepEvery(state, SWEEP_EVERY_MS, () => ({
    now: Date.now(),
    ledgerRetentionMs: config.state.ledgerRetentionMs,
    clientsRetentionMs: config.state.clientsRetentionMs,
  }));
  // Accounts mode's keys are the operator's: each has its own pacing. In passthrough only keys v2 has accepted do.
  const knownKeys = options.accounts ? undefined : new KnownKeys(state, config.state.clientsRetentionMs);
  const pacer = new Pacer(config.v2RateLimits, state, knownKeys && { newKeys: { windows: config.v2NewKeyRateLimits, known: knownKeys } });
  const v2 = new V2Client(upstream?.send ?? inProcessTransport(sandbox!.app), pacer, metrics.observeV2Call);
  const lifecycle = new Lifecycle();
  const authenticate =
    options.accounts &&
    authenticateAccount({
      registry: options.accounts,
      failedLogins: new FailedLogins(state),
      logger,
      trustProxyHops: config.trustProxyHops,
    });
  const usage = new ClientUsage(state, { retentionMs: config.state.clientsRetentionMs });
  usage.start();
  const ledger = orderLedgerFor(config, state, logger, metrics);
  const app = createApp({ config, logger, v2, lifecycle, authenticate, metrics, state, usage, knownKeys, ledger });

  const server = await new Promise<ServerType>((resolve, reject) => {
    const listening = serve(
      {
        fetch: app.fetch,
        port: config.port,
        hostname: config.host,
        // Slow clients: the headers, then the whole request, must arrive in time;
        // the timeouts are checked every second rather than Node's default 30.
        serverOptions: {
          headersTimeout: config.headersTimeoutMs,
          requestTimeout: config.requestTimeoutMs,
          connectionsCheckingInterval: 1_000,
        },
      },
      () => resolve(listening),
    );
    listening.once("error", reject);
  });
  const deprecation = deprecationHeaders(config);
  server.on("clientError", (error, socket) => answerClientError(error, socket, logger, deprecation));

  return {
    server,
    port: (server.address() as AddressInfo).port,
    sandbox,
    lifecycle,
    drain: async (timeoutMs) => {
      lifecycle.startDraining();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      const clean = await lifecycle.whenIdle(timeoutMs);
      // Answers in flight have been handed to their sockets; idle keep-alive connections go now.
      if ("closeIdleConnections" in server) server.closeIdleConnections();
      const timer = setTimeout(() => "closeAllConnections" in server && server.closeAllConnections(), 1_000);
      await closed;
      clearTimeout(timer);
      await upstream?.close();
      stopSweeping();
      await ledger.flush();
      await usage.stop();
      await state.close();
      return clean;
    },
  };
}
