import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { z } from "zod";

const ROOT = new URL("../../", import.meta.url);
const packageSchema = z.object({ bin: z.object({ "v1-shim": z.string() }) });

/** The file package.json names as the bin, as npm links it. */
export const CLI = fileURLToPath(
  new URL(packageSchema.parse(JSON.parse(readFileSync(new URL("package.json", ROOT), "utf8"))).bin["v1-shim"], ROOT),
);

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * `node dist/cli/v1-shim.js …` with only the given environment (and PATH), as a
 * CI job would run it; without blocking, so that servers of the test's own
 * (a shim, a fake v2) go on answering while it runs.
 */
export function runCli(args: string[], options: { env?: Record<string, string>; cwd?: string } = {}): Promise<CliRun> {
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd: options.cwd,
    env: { PATH: process.env.PATH ?? "", ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("close", (code) => resolve({ code, stdout, stderr }));
  });
}
