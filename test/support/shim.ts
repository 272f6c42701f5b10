import { type AccountRegistry, accountRegistryFor } from "../../src/accounts/registry.js";
import type { ShimOptions } from "../../src/build-shim.js";
import { loadConfig } from "../../src/config/config.js";
import { createLogger } from "../../src/observability/log.js";
import { type RunningServer, startServer } from "../../src/server.js";
import { closedAfterTest } from "./teardown.js";

export interface RunningShim {
  url: string;
  /** With SHIM_ADMIN_PORT: the admin listener's URL. */
  adminUrl: string | undefined;
  /** Every log line the shim wrote, parsed. */
  logs(): Record<string, unknown>[];
  /** Every log line as written, for asserting that no secret appears anywhere. */
  rawLogs: string[];
  sandbox: RunningServer["sandbox"];
  lifecycle: RunningServer["lifecycle"];
  /** Accounts mode: the registry, to replace its accounts as SIGHUP would. */
  accounts: AccountRegistry | undefined;
  close(): Promise<void>;
}

export interface CapturedLog {
  /** A slow log: lines are captured at once, but said to be written out only once this resolves. */
  heldUntil?: Promise<void>;
}

/**
 * The shim as `npm start` runs it, on an ephemeral loopback port, with its log
 * captured. `env` is read as the environment; without DIGICERT_API_URL the shim
 * uses its sandbox.
 */
export async function startShim(
  env: Record<string, string> = {},
  options: ShimOptions = {},
  { heldUntil }: CapturedLog = {},
): Promise<RunningShim> {
  // Test files run in parallel: each shim keeps its state in memory unless the test names a store.
  // Tests send the seed order again and again as distinct orders: no retry window unless the test sets one.
  const config = loadConfig({ LOG_LEVEL: "info", SHIM_STATE: "memory", SHIM_RETRY_WINDOW_MS: "0", ...env, PORT: "0", HOST: "127.0.0.1" });
  const rawLogs: string[] = [];
  const logger = createLogger(config.logLevel, {
    write: (line: string) => void rawLogs.push(line),
    ...(heldUntil && { written: () => heldUntil }),
  });
  // Accounts mode reads v2 keys from the environment: the test's, then the process's.
  const accounts = accountRegistryFor(config, { ...process.env, ...env });
  const running = await startServer(config, logger, { accounts, ...options });
  return {
    url: `${config.tls ? "https" : "http"}://127.0.0.1:${running.port}`,
    adminUrl: running.adminPort === undefined ? undefined : `http://127.0.0.1:${running.adminPort}`,
    logs: () => rawLogs.map((line) => JSON.parse(line) as Record<string, unknown>),
    rawLogs,
    sandbox: running.sandbox,
    lifecycle: running.lifecycle,
    accounts,
    close: closedAfterTest(async () => {
      await running.drain(5_000);
    }),
  };
}
