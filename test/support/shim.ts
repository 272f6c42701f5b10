import { type AccountRegistry, accountRegistryFor } from "../../src/accounts/registry.js";
import { buildShim, type ShimOptions } from "../../src/build-shim.js";
import { loadConfig } from "../../src/config/config.js";
import { createLogger } from "../../src/observability/log.js";
import { type RunningServer, startServer } from "../../src/server.js";
import { closedAfterTest } from "./teardown.js";

/** What a test reads of a shim however it is reached: its log, its sandbox, its accounts. */
interface ShimParts {
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

export interface RunningShim extends ShimParts {
  url: string;
  /** With SHIM_ADMIN_PORT: the admin listener's URL. */
  adminUrl: string | undefined;
}

export interface InProcessShim extends ShimParts {
  /** A request to the legacy app as a client sends it, by path (`/order/code`), no socket between. */
  request(path: string, init?: RequestInit): Promise<Response>;
  /** A request to the admin surface: its own app with SHIM_ADMIN_PORT, the legacy app's otherwise. */
  adminRequest(path: string, init?: RequestInit): Promise<Response>;
}

export interface CapturedLog {
  /** A slow log: lines are captured at once, but said to be written out only once this resolves. */
  heldUntil?: Promise<void>;
}

/**
 * The settings, the captured log and the accounts both kinds of test shim are
 * made from. Test files run in parallel: each shim keeps its state in memory
 * unless the test names a store. Tests send the seed order again and again as
 * distinct orders: no retry window unless the test sets one.
 */
function shimSettings(env: Record<string, string>, { heldUntil }: CapturedLog) {
  const config = loadConfig({ LOG_LEVEL: "info", SHIM_STATE: "memory", SHIM_RETRY_WINDOW_MS: "0", ...env, PORT: "0", HOST: "127.0.0.1" });
  const rawLogs: string[] = [];
  const logger = createLogger(config.logLevel, {
    write: (line: string) => void rawLogs.push(line),
    ...(heldUntil && { written: () => heldUntil }),
  });
  // Accounts mode reads v2 keys from the environment: the test's, then the process's.
  const accounts = accountRegistryFor(config, { ...process.env, ...env });
  const logs = () => rawLogs.map((line) => JSON.parse(line) as Record<string, unknown>);
  return { config, logger, accounts, rawLogs, logs };
}

/**
 * The shim as `npm start` runs it, on an ephemeral loopback port, with its log
 * captured: for what the socket is the point of (Node's parser, timeouts, TLS,
 * connections). `env` is read as the environment; without DIGICERT_API_URL the
 * shim uses its sandbox.
 */
export async function startShim(env: Record<string, string> = {}, options: ShimOptions = {}, log: CapturedLog = {}): Promise<RunningShim> {
  const { config, logger, accounts, rawLogs, logs } = shimSettings(env, log);
  const running = await startServer(config, logger, { accounts, ...options });
  return {
    url: `${config.tls ? "https" : "http"}://127.0.0.1:${running.port}`,
    adminUrl: running.adminPort === undefined ? undefined : `http://127.0.0.1:${running.adminPort}`,
    logs,
    rawLogs,
    sandbox: running.sandbox,
    lifecycle: running.lifecycle,
    accounts,
    close: closedAfterTest(async () => {
      await running.drain(5_000);
    }),
  };
}

/**
 * The same shim, built by the same composition root from the same settings, but
 * called in process: for everything the socket is not the point of. Requests
 * come from no peer address, and Node's parser and timeouts are not in the way.
 */
export async function inProcessShim(
  env: Record<string, string> = {},
  options: ShimOptions = {},
  log: CapturedLog = {},
): Promise<InProcessShim> {
  const { config, logger, accounts, rawLogs, logs } = shimSettings(env, log);
  const shim = await buildShim(config, logger, { accounts, ...options });
  const { legacy, admin = legacy } = shim.apps;
  return {
    request: async (path, init) => legacy.request(path, init),
    adminRequest: async (path, init) => admin.request(path, init),
    logs,
    rawLogs,
    sandbox: shim.sandbox,
    lifecycle: shim.lifecycle,
    accounts,
    close: closedAfterTest(() => shim.stop()),
  };
}
