import { buildShim, type Replacements, type ShimOptions } from "../../src/build-shim.js";
import { type Config, loadConfig } from "../../src/config/config.js";
import { createLogger, type Logger } from "../../src/observability/log.js";
import { MemoryStore } from "../../src/state/memory.js";
import { closedAfterTest } from "./teardown.js";

export interface InProcessParts extends Replacements, Pick<ShimOptions, "accounts" | "migration"> {
  config?: Config;
  logger?: Logger;
}

/**
 * The shim's app in process, built by the composition root as `npm start` builds
 * it, against its sandbox called in process: no socket, no port. Its state is in
 * memory unless the test gives a store. Give only what a test changes; the shim
 * is stopped once the test ends.
 */
export async function inProcessApp(parts: InProcessParts = {}) {
  const { config = loadConfig({}), logger = createLogger("silent"), accounts, migration, ...replace } = parts;
  const shim = await buildShim(config, logger, { accounts, migration, replace: { state: new MemoryStore(), ...replace } });
  closedAfterTest(() => shim.stop());
  return { app: shim.apps.legacy, admin: shim.apps.admin, sandbox: shim.sandbox!, stop: () => shim.stop() };
}
