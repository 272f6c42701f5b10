import { readFileSync } from "node:fs";
import { z } from "zod";
import { DEFAULT_PLATFORM_TABLES, platformTablesSchema, type PlatformTables } from "./mapping/platforms.js";

// Every setting comes from the environment and is checked here, at start, so a
// bad value stops the start with a message naming the variable.

const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;

const envSchema = z
  .object({
    PORT: z.coerce.number().int().min(0).max(65535).default(8080),
    HOST: z.string().optional(),
    NODE_ENV: z.string().optional(),
    DIGICERT_API_URL: z
      .url({ protocol: /^https?$/, error: "must be an http(s) URL such as https://www.digicert.com/services/v2" })
      .optional(),
    SHIM_ORDER_ID_FORMAT: z.enum(["number", "padded"]).default("number"),
    SHIM_PLATFORMS_FILE: z.string().optional(),
    SHIM_UPSTREAM_TIMEOUT_MS: z.coerce.number().int().positive().default(30_000),
    LOG_LEVEL: z.enum(LOG_LEVELS).default("info"),
  })
  .superRefine((env, ctx) => {
    if (env.NODE_ENV === "production" && !env.DIGICERT_API_URL) {
      ctx.addIssue({
        code: "custom",
        path: ["DIGICERT_API_URL"],
        message: "is required when NODE_ENV=production; the built-in sandbox places no real orders",
      });
    }
  });

export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

const configSchema = envSchema.transform((vars, ctx) => ({
  port: vars.PORT,
  host: vars.HOST,
  /** Undefined: the built-in sandbox stands in for v2. */
  digicertApiUrl: vars.DIGICERT_API_URL,
  orderIdFormat: vars.SHIM_ORDER_ID_FORMAT,
  platforms: vars.SHIM_PLATFORMS_FILE ? readPlatforms(vars.SHIM_PLATFORMS_FILE, ctx) : DEFAULT_PLATFORM_TABLES,
  upstreamTimeoutMs: vars.SHIM_UPSTREAM_TIMEOUT_MS,
  logLevel: vars.LOG_LEVEL,
}));

export type Config = z.output<typeof configSchema>;

/** An empty variable counts as unset, as shells and compose files often leave them. */
function setVariables(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => !!entry[1]?.trim()));
}

export function loadConfig(env: NodeJS.ProcessEnv): Config {
  const parsed = configSchema.safeParse(setVariables(env));
  if (!parsed.success) throw new ConfigError(parsed.error.issues.map((issue) => `${issue.path.join(".")} ${issue.message}`));
  return parsed.data;
}

function readPlatforms(path: string, ctx: z.RefinementCtx): PlatformTables {
  const problem = (message: string) => {
    ctx.addIssue({ code: "custom", path: ["SHIM_PLATFORMS_FILE"], message });
    return DEFAULT_PLATFORM_TABLES;
  };
  let content: unknown;
  try {
    content = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    return problem(`cannot be read as JSON (${path}): ${error instanceof Error ? error.message : String(error)}`);
  }
  const tables = platformTablesSchema.safeParse(content);
  if (!tables.success) {
    return problem(tables.error.issues.map((issue) => `${issue.path.join(".")} ${issue.message}`).join("; "));
  }
  return tables.data;
}
