import { readFileSync } from "node:fs";
import { z } from "zod";
import { ConfigError, readJsonFile } from "../config/config.js";
import { HEADER_SAFE } from "../http/basic-auth.js";
import { type KeyHash, parseKeyHash } from "./key-hash.js";

// SHIM_ACCOUNTS_FILE: which legacy account ids and keys are valid, and where
// their orders go in v2. It never holds a legacy key or a v2 key: the one is
// hashed, the other named by an environment variable or a file.

const accountEntrySchema = z
  .strictObject({
    account_id: z
      .string()
      .min(1)
      .regex(/^[^:]+$/, "may not contain a colon: it is the Basic user name"),
    key_hash: z.string().refine((text) => parseKeyHash(text) !== undefined, "must be a hash printed by npm run hash-key"),
    digicert_api_key_env: z.string().min(1).optional(),
    digicert_api_key_file: z.string().min(1).optional(),
    container_id: z.number().int().positive().optional(),
    organization_id: z.number().int().positive().optional(),
    // With organization_id: the v1 contact joins the organization as a verified contact on every order.
    add_verified_contact: z.boolean().default(false),
    enabled: z.boolean().default(true),
  })
  .refine((entry) => (entry.digicert_api_key_env === undefined) !== (entry.digicert_api_key_file === undefined), {
    path: ["digicert_api_key_env"],
    message: "give one of digicert_api_key_env and digicert_api_key_file",
  });

const accountsFileSchema = z.strictObject({ accounts: z.array(accountEntrySchema) }).superRefine(
  (file, ctx) => {
    // Runs even when the file or its entries failed, so that every problem is
    // listed at once; what failed holds its raw input here (even null), hence
    // the checks the inferred types would call redundant.
    const accounts: unknown = typeof file === "object" && file !== null ? file.accounts : undefined;
    if (!Array.isArray(accounts)) return;
    const seen = new Set<unknown>();
    accounts.forEach((entry: unknown, i) => {
      const id = typeof entry === "object" && entry !== null && "account_id" in entry ? entry.account_id : undefined;
      if (typeof id === "string" && seen.has(id))
        ctx.addIssue({ code: "custom", path: ["accounts", i, "account_id"], message: "appears twice" });
      seen.add(id);
    });
  },
  { when: () => true },
);

/** A legacy account, ready to check credentials against and to order with. */
export interface Account {
  accountId: string;
  keyHash: KeyHash;
  v2ApiKey: string;
  containerId: number | undefined;
  organizationId: number | undefined;
  addVerifiedContact: boolean;
  enabled: boolean;
}

const namedEntriesSchema = z.object({ accounts: z.array(z.unknown()) });
const namedAccountSchema = z.object({ account_id: z.string().min(1) });

/** Each entry's name for the problems, read once: once per problem made a broken file of n entries cost n² (21 s for 32,000). */
function entryNames(content: unknown): (index: number) => string {
  const entries = namedEntriesSchema.safeParse(content);
  return (index) => {
    const named = namedAccountSchema.safeParse(entries.success ? entries.data.accounts[index] : undefined);
    return named.success ? `account ${named.data.account_id} (accounts[${index}])` : `accounts[${index}]`;
  };
}

/** `account 001007 (accounts[0]) key_hash: …`, or the file's own path for a problem outside an account. */
function describe(issue: z.core.$ZodIssue, nameOf: (index: number) => string): string {
  const [, index, ...field] = issue.path;
  if (typeof index !== "number") return `${issue.path.join(".") || "the file"}: ${issue.message}`;
  return `${nameOf(index)}${field.length ? ` ${field.join(".")}` : ""}: ${issue.message}`;
}

/** The account's v2 key, from the environment variable or the file the entry names. */
function v2KeyOf(entry: z.infer<typeof accountEntrySchema>, env: NodeJS.ProcessEnv): { key: string } | { problem: string } {
  if (entry.digicert_api_key_env !== undefined) {
    const key = env[entry.digicert_api_key_env]?.trim();
    return key ? { key } : { problem: `digicert_api_key_env names ${entry.digicert_api_key_env}, which is not set` };
  }
  const file = entry.digicert_api_key_file!;
  try {
    const key = readFileSync(file, "utf8").trim();
    return key ? { key } : { problem: `digicert_api_key_file ${file} is empty` };
  } catch {
    return { problem: `digicert_api_key_file ${file} cannot be read` };
  }
}

/** Reads and checks the file, and finds every account's v2 key; a ConfigError lists every problem. */
export function loadAccounts(path: string, env: NodeJS.ProcessEnv): Map<string, Account> {
  const file = readJsonFile(path);
  if ("problem" in file) throw new ConfigError([`SHIM_ACCOUNTS_FILE ${file.problem}`]);
  const parsed = accountsFileSchema.safeParse(file.content);
  if (!parsed.success) {
    const nameOf = entryNames(file.content);
    throw new ConfigError(parsed.error.issues.map((issue) => `SHIM_ACCOUNTS_FILE ${describe(issue, nameOf)}`));
  }

  const problems: string[] = [];
  const accounts = new Map<string, Account>();
  for (const entry of parsed.data.accounts) {
    const v2Key = v2KeyOf(entry, env);
    if ("problem" in v2Key || !HEADER_SAFE.test(v2Key.key)) {
      const problem = "problem" in v2Key ? v2Key.problem : "its v2 key has characters an HTTP header cannot carry";
      problems.push(`SHIM_ACCOUNTS_FILE account ${entry.account_id}: ${problem}`);
      continue;
    }
    accounts.set(entry.account_id, {
      accountId: entry.account_id,
      keyHash: parseKeyHash(entry.key_hash)!,
      v2ApiKey: v2Key.key,
      containerId: entry.container_id,
      organizationId: entry.organization_id,
      addVerifiedContact: entry.add_verified_contact,
      enabled: entry.enabled,
    });
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return accounts;
}
