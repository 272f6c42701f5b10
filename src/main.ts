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
try {
  const { port } = await startServer(config, logger);
  logger.info({ port, mode: config.digicertApiUrl ? "v2" : "sandbox", v2: config.digicertApiUrl }, "listening");
} catch (error) {
  logger.fatal({ err: error }, "cannot serve");
  process.exit(1);
}
