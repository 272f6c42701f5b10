import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { hashKey } from "../../src/accounts/key-hash.js";

/** Cheap scrypt parameters: tests check behaviour, not cost. */
export const FAST_HASH = { N: 1024, r: 8, p: 1 };

export const hashFast = (key: string) => hashKey(key, FAST_HASH);

/** Writes an accounts file (any content, valid or not) to a fresh directory and gives its path. */
export function writeAccountsFile(content: unknown, dir = mkdtempSync(join(tmpdir(), "accounts-"))): string {
  const path = join(dir, "accounts.json");
  writeFileSync(path, typeof content === "string" ? content : JSON.stringify(content, null, 2));
  return path;
}
