import { hashKey } from "../../src/accounts/key-hash.js";
import { writeTempFile } from "./temp-files.js";

/** Cheap scrypt parameters: tests check behaviour, not cost. */
export const FAST_HASH = { N: 1024, r: 8, p: 1 };

export const hashFast = (key: string) => hashKey(key, FAST_HASH);

/** Writes an accounts file (any content, valid or not) to `dir`, or a fresh directory, and gives its path. */
export const writeAccountsFile = (content: unknown, dir?: string): string => writeTempFile("accounts.json", content, dir);
