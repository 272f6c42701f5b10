import type { Account } from "../accounts/accounts-file.js";
import { loadAccounts } from "../accounts/accounts-file.js";
import { type Config, ConfigError, loadConfig } from "../config/config.js";
import { V2Client } from "../v2/client.js";
import { Pacer } from "../v2/pacer.js";
import { createSandbox } from "../v2/sandbox.js";
import { httpTransport, inProcessTransport } from "../v2/transport.js";
import { type Check, checkTarget, pacingCheck, type Target, V2Unreachable } from "./doctor-checks.js";
import { messageOf } from "./exit.js";

/** 0: every check ok (warnings allowed); 1: a check failed; 2: the checks could not run. */
type DoctorExit = 0 | 1 | 2;

interface DoctorReport {
  /** The v2 base checked, or null for the built-in sandbox. */
  v2: string | null;
  checks: Check[];
  exit: DoctorExit;
  /** Why the checks could not run, when they could not. */
  problem?: string;
}

const SANDBOX_KEY = "sandbox";

/** The keys to check: each account's in accounts mode, otherwise DIGICERT_API_KEY (any key in the sandbox). */
function targetsOf(config: Config, env: NodeJS.ProcessEnv): Target[] | string {
  if (config.accountsFile) return [...loadAccounts(config.accountsFile, env).values()].map(accountTarget);
  if (config.digicertApiKey) return [{ subject: "DIGICERT_API_KEY", keySource: "DIGICERT_API_KEY", apiKey: config.digicertApiKey }];
  if (config.digicertApiUrl) return "no v2 key to check: set DIGICERT_API_KEY (passthrough), or SHIM_ACCOUNTS_FILE (accounts mode)";
  return [{ subject: "sandbox key", keySource: "DIGICERT_API_KEY", apiKey: SANDBOX_KEY }];
}

const accountTarget = (account: Account): Target => ({
  subject: `account ${account.accountId}${account.enabled ? "" : " (disabled)"}`,
  keySource: `the v2 key of account ${account.accountId} (its digicert_api_key_env or digicert_api_key_file)`,
  apiKey: account.v2ApiKey,
  containerId: account.containerId,
  organizationId: account.organizationId,
});

/**
 * `v1-shim doctor`: reads the server's configuration and checks, with
 * read-only v2 calls, that the shim's v2 side will work.
 */
export async function runDoctor(env: NodeJS.ProcessEnv): Promise<DoctorReport> {
  let config: Config;
  let targets: Target[] | string;
  try {
    config = loadConfig(env);
    targets = targetsOf(config, env);
  } catch (error) {
    if (error instanceof ConfigError) return { v2: env.DIGICERT_API_URL || null, checks: [], exit: 2, problem: error.message };
    throw error;
  }
  const v2 = config.digicertApiUrl ?? null;
  if (typeof targets === "string") return { v2, checks: [], exit: 2, problem: targets };

  const upstream = config.digicertApiUrl ? httpTransport(config.digicertApiUrl, config.retry.timeoutMs) : undefined;
  const transport = upstream?.send ?? inProcessTransport(createSandbox({ issueAfterMs: config.sandboxIssueAfterMs }).app);
  const client = new V2Client(transport, new Pacer(config.v2RateLimits));
  const limits = { timeoutMs: config.retry.timeoutMs, maxPaceWaitMs: config.retry.paceMaxWaitMs };
  const where: Check = v2
    ? { check: "v2", subject: "DIGICERT_API_URL", status: "ok", message: `${v2} answers` }
    : {
        check: "v2",
        subject: "DIGICERT_API_URL",
        status: "warning",
        message: "not set: these are the built-in sandbox's answers, not DigiCert's; no order would be real",
        action: "set DIGICERT_API_URL to your region's v2 base, e.g. https://www.digicert.com/services/v2",
      };
  const checks: Check[] = [];
  try {
    for (const target of targets) checks.push(...(await checkTarget(client, target, config.platforms, limits)));
  } catch (error) {
    if (!(error instanceof V2Unreachable)) throw error;
    const unreachable: Check = {
      check: "v2",
      subject: "DIGICERT_API_URL",
      status: "failed",
      message: `${v2} did not answer (${error.reason})`,
      action: "check DIGICERT_API_URL, DNS, and the way out to it (firewall, proxy)",
    };
    return { v2, checks: [unreachable], exit: 2, problem: messageOf(error) };
  } finally {
    await upstream?.close();
  }
  const all = [where, ...checks, pacingCheck(config.v2RateLimits)];
  return { v2, checks: all, exit: all.some((c) => c.status === "failed") ? 1 : 0 };
}

const LABELS = { ok: "ok     ", warning: "warning", failed: "FAILED " } as const;

/** One line per check, and what to do about each that is not ok. */
export function renderDoctor(report: DoctorReport): string {
  return report.checks
    .map((c) => `${LABELS[c.status]} ${c.check} [${c.subject}]: ${c.message}${c.action ? `. To do: ${c.action}` : ""}\n`)
    .join("");
}
