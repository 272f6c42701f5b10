import { type AppDeps, createApp } from "../../src/app.js";
import { loadConfig } from "../../src/config/config.js";
import { Lifecycle } from "../../src/http/lifecycle.js";
import { createLogger } from "../../src/observability/log.js";
import { V2Client } from "../../src/v2/client.js";
import { Pacer } from "../../src/v2/pacer.js";
import { createSandbox } from "../../src/v2/sandbox.js";
import { inProcessTransport } from "../../src/v2/transport.js";

/**
 * The shim's app in process, wired as the server wires it, against the sandbox
 * called in process: no socket, no port. Give only what a test changes.
 */
export function inProcessApp(deps: Partial<AppDeps> = {}) {
  const sandbox = createSandbox();
  const app = createApp({
    config: loadConfig({}),
    logger: createLogger("silent"),
    v2: new V2Client(inProcessTransport(sandbox.app), new Pacer([])),
    lifecycle: new Lifecycle(),
    ...deps,
  });
  return { app, sandbox };
}
