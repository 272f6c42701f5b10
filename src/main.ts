import { ConfigError, loadConfig, type Config } from "./config.js";
import { createLogger } from "./log.js";
import { startServer } from "./server.js";

const SANDBOX_BANNER = `
########################################################################
#  SANDBOX MODE: DIGICERT_API_URL is not set.                          #
#  Orders go to the built-in sandbox. NO REAL ORDERS ARE PLACED.       #
#  Set DIGICERT_API_URL (e.g. https://www.digicert.com/services/v2)    #
#  to place real orders through the Services API v2.                   #
########################################################################
`;

function loadConfigOrExit(): Config {
  try {
    return loadConfig(process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`digicert-v1-shim: not starting. ${error.message}\n`);
    process.exit(1);
  }
}

const config = loadConfigOrExit();
const logger = createLogger(config.logLevel);
if (!config.digicertApiUrl) {
  process.stderr.write(SANDBOX_BANNER);
  logger.warn({ mode: "sandbox" }, "DIGICERT_API_URL is not set: running against the built-in sandbox, no real orders are placed");
}

let running;
try {
  running = await startServer(config, logger);
} catch (error) {
  logger.fatal({ err: error }, "cannot serve");
  process.exit(1);
}
logger.info({ port: running.port, mode: config.digicertApiUrl ? "v2" : "sandbox", v2: config.digicertApiUrl }, "listening");

// Orders in flight run to their answer, each within its deadline; then exit 0.
let stopping = false;
const stop = async (signal: NodeJS.Signals) => {
  if (stopping) return;
  stopping = true;
  logger.info({ signal, in_flight: running.lifecycle.inFlight }, "draining: taking no new requests, finishing those in flight");
  const clean = await running.drain(config.retry.deadlineMs + 1_000);
  if (!clean) logger.error({ in_flight: running.lifecycle.inFlight }, "stopped with requests still in flight");
  logger.info("stopped");
  process.exit(0);
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
