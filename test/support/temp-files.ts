import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A fresh, empty directory of the test's own. */
export const tempDir = (prefix = "shim-test-"): string => mkdtempSync(join(tmpdir(), prefix));

/** Writes a file, a string as it is and anything else as JSON, to `dir` (by default a fresh one), and gives its path. */
export function writeTempFile(name: string, content: unknown, dir = tempDir()): string {
  const path = join(dir, name);
  writeFileSync(path, typeof content === "string" ? content : JSON.stringify(content, null, 2));
  return path;
}
