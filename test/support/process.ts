import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import { afterEach } from "vitest";

const MAIN = fileURLToPath(new URL("../../dist/shim.mjs", import.meta.url));

export interface ShimProcess {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves with the port once the shim logs that it listens. */
  listening: Promise<number>;
  exited: Promise<number | null>;
  stop(): Promise<number | null>;
}

/**
 * `node dist/shim.mjs`, as `npm start` runs it, with only the given environment (and PATH),
 * in `cwd`. Its state is in memory unless `env` names a store (test files run in parallel).
 */
export function spawnShim(env: Record<string, string>, cwd?: string): ShimProcess {
  const child = spawn(process.execPath, [MAIN], {
    cwd,
    env: { PATH: process.env.PATH ?? "", PORT: "0", HOST: "127.0.0.1", SHIM_STATE: "memory", ...env },
  });
  let stdout = "";
  let stderr = "";
  child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = once(child, "exit").then(([code]) => code as number | null);
  const listening = new Promise<number>((resolve, reject) => {
    child.stdout!.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      const port = stdout.match(/"port":(\d+)[^\n]*"msg":"listening"/)?.[1];
      if (port) resolve(Number(port));
    });
    void exited.then((code) => reject(new Error(`the shim exited (${code}) before listening:\n${stderr}`)));
  });
  // A test that expects a refusal never awaits `listening`.
  listening.catch(() => undefined);
  return {
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    listening,
    exited,
    stop: () => {
      child.kill("SIGTERM");
      return exited;
    },
  };
}

/** spawnShim for one test file: every shim a test starts is stopped after it. */
export function shimsStoppedAfterEach(): (env: Record<string, string>, cwd?: string) => ShimProcess {
  const started: ShimProcess[] = [];
  afterEach(async () => {
    await Promise.all(started.splice(0).map((shim) => shim.stop()));
  });
  return (env, cwd) => {
    const shim = spawnShim(env, cwd);
    started.push(shim);
    return shim;
  };
}
