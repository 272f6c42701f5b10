import { loadAccounts } from "./accounts/accounts-file.js";
import { accountRegistryFor } from "./accounts/registry.js";
import { ConfigError, loadConfig } from "./config/config.js";
import { createLogger, stdoutDestination } from "./observability/log.js";
import { type RunningServer, reconcileAbandoned, startServer } from "./server.js";
import { describeState, StateOpenError } from "./state/open.js";

const SANDBOX_BANNER = `
########################################################################
#  SANDBOX MODE: DIGICERT_API_URL is not set.                          #
#  Orders go to the built-in sandbox. NO REAL ORDERS ARE PLACED.       #
#  Set DIGICERT_API_URL (e.g. https://www.digicert.com/services/v2)    #
#  to place real orders through the Services API v2.                   #
########################################################################
`;

/** Any failure while loading the settings stops the start with a message, naming the variable (or the account) when it can. */
function orExit<T>(load: () => T): T {
  try {
    return load();
  } catch (error) {
    const why = error instanceof ConfigError ? error.message : `the settings could not be loaded: ${String(error)}`;
    process.stderr.write(`digicert-v1-shim: not starting. ${why}\n`);
    process.exit(1);
  }
}

const config = orExit(() => loadConfig(process.env));
const accounts = orExit(() => accountRegistryFor(config, process.env));
const stdout = stdoutDestination();
const logger = createLogger(config.logLevel, stdout);
/** Log lines are written asynchronously: each exit writes out what is pending first, for a second at most. */
let exiting = false;
async function exit(code: number): Promise<never> {
  if (!exiting) {
    exiting = true;
    await stdout.flushWithin(1_000);
    process.exit(code);
  }
  // A second exit (the backstop's, while the drain's writes out its log) waits for the first.
  return new Promise<never>(() => undefined);
}
if (!config.digicertApiUrl) {
  process.stderr.write(SANDBOX_BANNER);
  logger.warn({ mode: "sandbox" }, "DIGICERT_API_URL is not set: running against the built-in sandbox, no real orders are placed");
}

if (config.state.spec.backend === "memory" && config.retryWindow.windowMs > 0 && !config.retryWindow.fingerprintKey) {
  logger.warn(
    { state: "memory" },
    "SHIM_STATE=memory: the ledger and the secret that client retries are recognised by live in this process; a retry after a restart is a new order",
  );
}

const running: RunningServer = await startServer(config, logger, { accounts }).catch((error: unknown) => {
  if (error instanceof StateOpenError) process.stderr.write(`digicert-v1-shim: not starting. ${error.message}\n`);
  logger.fatal({ err: error }, "cannot serve");
  return exit(1);
});
logger.info(
  {
    port: running.port,
    mode: config.digicertApiUrl ? "v2" : "sandbox",
    auth: accounts ? "accounts" : "passthrough",
    accounts: accounts?.size,
    v2: config.digicertApiUrl,
    tls: config.tls && (config.tls.material.ca ? "mtls" : "on"),
    tls_fingerprint: config.tls?.material.fingerprint,
    state: describeState(config.state.spec),
    replica: config.state.replicaId,
  },
  "listening",
);

/**
 * One thing SIGHUP reloads. Whatever fails, what is in use stays, and nothing
 * thrown here can end the process with the orders in flight.
 */
function reload(what: string, load: () => void): void {
  try {
    load();
  } catch (error) {
    const problems = error instanceof ConfigError ? error.problems : [String(error)];
    logger.error({ problems }, `${what} refused; what was in use stays`);
  }
}

// SIGHUP re-reads the accounts file and the TLS files, each on its own: a refused
// certificate does not stop the accounts reload, nor the reverse.
process.on("SIGHUP", () => {
  if (config.tls) reload("TLS files", () => running.reloadTls());
  const file = config.accountsFile;
  if (accounts && file) {
    reload("accounts file", () => {
      accounts.replace(loadAccounts(file, process.env));
      logger.info({ accounts: accounts.size }, "accounts file reloaded");
    });
  }
});

/** However the drain goes, the process is gone this long after the signal, each order it abandons reconciled. */
const STOP_BACKSTOP_MS = config.retry.deadlineMs + 5_000;

// Orders in flight run to their answer, each within its deadline; then exit 0.
let stopping = false;
const stop = async (signal: NodeJS.Signals) => {
  if (stopping) return;
  stopping = true;
  logger.info({ signal, in_flight: running.lifecycle.inFlight }, "draining: taking no new requests, finishing those in flight");
  setTimeout(() => {
    reconcileAbandoned(running.lifecycle, logger);
    logger.error({ in_flight: running.lifecycle.inFlight }, "the drain did not end in time: stopping");
    void exit(1);
  }, STOP_BACKSTOP_MS).unref();
  const clean = await running.drain(config.retry.deadlineMs + 1_000);
  if (!clean) logger.error({ in_flight: running.lifecycle.inFlight }, "stopped with requests still in flight");
  logger.info("stopped");
  await exit(0);
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
