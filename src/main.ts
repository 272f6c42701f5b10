import { loadAccounts } from "./accounts/accounts-file.js";
import { accountRegistryFor } from "./accounts/registry.js";
import { ConfigError, loadConfig } from "./config/config.js";
import { createLogger, stdoutDestination } from "./observability/log.js";
import { type RunningServer, startServer } from "./server.js";
import { describeState, StateOpenError } from "./state/open.js";

const SANDBOX_BANNER = `
########################################################################
#  SANDBOX MODE: DIGICERT_API_URL is not set.                          #
#  Orders go to the built-in sandbox. NO REAL ORDERS ARE PLACED.       #
#  Set DIGICERT_API_URL (e.g. https://www.digicert.com/services/v2)    #
#  to place real orders through the Services API v2.                   #
########################################################################
`;

/** A problem with the settings stops the start, naming the variable (or the account). */
function orExit<T>(load: () => T): T {
  try {
    return load();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`digicert-v1-shim: not starting. ${error.message}\n`);
    process.exit(1);
  }
}

const config = orExit(() => loadConfig(process.env));
const accounts = orExit(() => accountRegistryFor(config, process.env));
const stdout = stdoutDestination();
const logger = createLogger(config.logLevel, stdout);
/** Log lines are written asynchronously: each exit writes out what is pending first. */
function exit(code: number): never {
  stdout.flushSync();
  process.exit(code);
}
if (!config.digicertApiUrl) {
  process.stderr.write(SANDBOX_BANNER);
  logger.warn({ mode: "sandbox" }, "DIGICERT_API_URL is not set: running against the built-in sandbox, no real orders are placed");
}

let running: RunningServer;
try {
  running = await startServer(config, logger, { accounts });
} catch (error) {
  if (error instanceof StateOpenError) process.stderr.write(`digicert-v1-shim: not starting. ${error.message}\n`);
  logger.fatal({ err: error }, "cannot serve");
  exit(1);
}
logger.info(
  {
    port: running.port,
    mode: config.digicertApiUrl ? "v2" : "sandbox",
    auth: accounts ? "accounts" : "passthrough",
    accounts: accounts?.size,
    v2: config.digicertApiUrl,
    state: describeState(config.state.spec),
    replica: config.state.replicaId,
  },
  "listening",
);

// SIGHUP re-reads the accounts file; a bad file is refused and the accounts in use stay.
process.on("SIGHUP", () => {
  if (!accounts || !config.accountsFile) return;
  try {
    accounts.replace(loadAccounts(config.accountsFile, process.env));
    logger.info({ accounts: accounts.size }, "accounts file reloaded");
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    logger.error({ problems: error.problems }, "accounts file refused; the accounts in use stay");
  }
});

// Orders in flight run to their answer, each within its deadline; then exit 0.
let stopping = false;
const stop = async (signal: NodeJS.Signals) => {
  if (stopping) return;
  stopping = true;
  logger.info({ signal, in_flight: running.lifecycle.inFlight }, "draining: taking no new requests, finishing those in flight");
  const clean = await running.drain(config.retry.deadlineMs + 1_000);
  if (!clean) logger.error({ in_flight: running.lifecycle.inFlight }, "stopped with requests still in flight");
  logger.info("stopped");
  exit(0);
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
