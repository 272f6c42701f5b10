import { execFileSync } from "node:child_process";
import { createRequire } from "node:module";

/** Vitest global setup: the process tests run `node dist/main.js`, so dist must be this tree's. */
export default function build(): void {
  const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
  execFileSync(process.execPath, [tsc, "-p", "tsconfig.build.json"], { stdio: "inherit" });
}
