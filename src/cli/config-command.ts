import { accountRegistryFor } from "../accounts/registry.js";
import { ConfigError, effectiveSettings, loadConfig } from "../config/config.js";
import { SETTINGS } from "../config/settings.js";
import { Exit, messageOf } from "./exit.js";

// `v1-shim config`: the effective configuration, as the server would load it from this
// environment, each variable with its value and where it came from, every secret redacted;
// or, as `nginx -t` does, exit 1 naming each bad variable.

const REDACTED = "(secret)";

/** A value as it may be shown: a secret never, not even its length; a URL without the password it may carry. */
function shown(name: keyof typeof SETTINGS, text: string | undefined): string {
  // Unset: what that means, as the docs say it ("unset: sandbox", "as `HOST`").
  if (text === undefined) return SETTINGS[name].shownDefault ? `(${SETTINGS[name].shownDefault?.replaceAll("`", "")})` : "";
  if (SETTINGS[name].secret) return REDACTED;
  // redis://:PASSWORD@host, https://user:PASSWORD@collector: whatever sits before the @ of a URL's authority.
  return text.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@]*@/i, "$1(secret)@");
}

/** Checks the configuration in `env` (the settings, the files they name, the accounts file) and describes it. */
export function configReport(env: NodeJS.ProcessEnv) {
  try {
    const config = loadConfig(env);
    accountRegistryFor(config, env);
  } catch (error) {
    const problems = error instanceof ConfigError ? error.problems : [messageOf(error)];
    const lines = problems.map((p) => `  ${p}`).join("\n");
    throw new Exit(1, `v1-shim config: the configuration is not valid; the server would not start:\n${lines}`);
  }
  return effectiveSettings(env).map(({ name, text, source }) => ({
    name,
    value: shown(name, text),
    source,
    secret: SETTINGS[name].secret === true,
  }));
}

/** The report as aligned lines: variable, source, value. */
export function renderConfig(report: ReturnType<typeof configReport>): string {
  const width = Math.max(...report.map((r) => r.name.length));
  const lines = report.map(({ name, source, value }) => `${name.padEnd(width)}  ${source.padEnd(7)}  ${value}`.trimEnd());
  const set = report.filter((r) => r.source === "set").length;
  return `${lines.join("\n")}\nconfiguration ok: ${report.length} variables, ${set} set\n`;
}
