import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Exit } from "./exit.js";

/** The build this command came with: dist/shim.mjs beside dist/cli/. */
export const OWN_BUILD = fileURLToPath(new URL("../shim.mjs", import.meta.url));

/** How long a candidate may take to listen, and to stop. */
const START_WITHIN_MS = 30_000;
const STOP_WITHIN_MS = 10_000;

/** The shim a `--shim` path names: a bundle (`dist/shim.mjs`), a build folder (`dist/`), or a checkout with one. */
export function candidateBundle(path: string | undefined): string {
  if (path === undefined) return OWN_BUILD;
  const full = resolve(path);
  const tried = [full, join(full, "shim.mjs"), join(full, "dist", "shim.mjs")];
  const found = tried.find((file) => existsSync(file) && statSync(file).isFile());
  if (!found) throw new Exit(2, `v1-shim replay: no shim build at ${path} (looked for ${tried.join(", ")}; run npm run build there)`);
  return found;
}

export interface Candidate {
  url: string;
  stop(): Promise<void>;
}

/**
 * `node --max-semi-space-size=8 <bundle>`, as `npm start` runs it, on a free
 * loopback port, with `env` alone; resolves once it logs that it listens.
 */
export async function startCandidate(bundle: string, env: Record<string, string>): Promise<Candidate> {
  const child: ChildProcess = spawn(process.execPath, ["--max-semi-space-size=8", bundle], { env, stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  let stdout = "";
  child.stderr!.on("data", (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4_000);
  });
  const exited = once(child, "exit").then(([code]) => code as number | null);
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), STOP_WITHIN_MS);
    await exited;
    clearTimeout(timer);
  };
  try {
    const port = await new Promise<number>((resolvePort, reject) => {
      const timer = setTimeout(() => reject(new Error(`it did not listen within ${START_WITHIN_MS / 1000} s`)), START_WITHIN_MS);
      child.stdout!.on("data", (chunk: Buffer) => {
        // Read to the end, always: a shim never waits on a full pipe, but its log is not ours to lose either.
        stdout = (stdout + chunk.toString()).slice(-16_000);
        const listening = stdout.match(/"port":(\d+)[^\n]*"msg":"listening"/)?.[1];
        if (listening) {
          clearTimeout(timer);
          resolvePort(Number(listening));
        }
      });
      void exited.then((code) => {
        clearTimeout(timer);
        reject(new Error(`it exited (${code}) before it listened`));
      });
    });
    return { url: `http://127.0.0.1:${port}`, stop };
  } catch (error) {
    await stop();
    throw new Exit(2, `v1-shim replay could not start ${bundle}: ${(error as Error).message}\n${stderr.trim()}`);
  }
}
