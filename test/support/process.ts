import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import { eventually } from "./eventually.js";
import { closedAfterTest } from "./teardown.js";

const ROOT = new URL("../../", import.meta.url);

/** `npm start`'s command, which docs/operations.md's Production section tells operators to run directly: `node --flags dist/shim.mjs`. */
export const START_COMMAND = z
  .object({ scripts: z.object({ start: z.string().startsWith("node ") }) })
  .parse(JSON.parse(readFileSync(new URL("package.json", ROOT), "utf8"))).scripts.start;

/** The command's arguments after `node`, the file made absolute so that any working directory will do. */
const START_ARGS = START_COMMAND.split(" ")
  .slice(1)
  .map((arg) => (arg.startsWith("-") ? arg : fileURLToPath(new URL(arg, ROOT))));

export interface ShimProcess {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves with the port once the shim logs that it listens. */
  listening: Promise<number>;
  /** With SHIM_ADMIN_PORT: the admin listener's port, once it listens. */
  adminPort(): number | undefined;
  /** Resolves once the shim has written a line matching `pattern` (`count` such lines); fails naming it when it does not. */
  logged(pattern: RegExp, count?: number): Promise<void>;
  exited: Promise<number | null>;
  stop(): Promise<number | null>;
}

/**
 * `node --max-semi-space-size=8 dist/shim.mjs`, as `npm start` and docs/operations.md run it, with only the
 * given environment (and PATH), in `cwd` (`args` for another build's, such as an image's). Its state is in memory unless `env` names a store (test
 * files run in parallel).
 */
export function spawnShim(env: Record<string, string>, cwd?: string, args: readonly string[] = START_ARGS): ShimProcess {
  const child = spawn(process.execPath, args, {
    cwd,
    // Tests send the seed order again and again as distinct orders: no retry window unless the test sets one.
    // SIGTERM drains at once, as before the grace existed, unless the test sets one (test/shutdown.test.ts).
    env: {
      PATH: process.env.PATH ?? "",
      PORT: "0",
      HOST: "127.0.0.1",
      SHIM_STATE: "memory",
      SHIM_RETRY_WINDOW_MS: "0",
      SHIM_SHUTDOWN_GRACE_MS: "0",
      ...env,
    },
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
    adminPort: () => {
      const port = stdout.match(/"admin_port":(\d+)[^\n]*"msg":"listening"/)?.[1];
      return port === undefined ? undefined : Number(port);
    },
    logged: async (pattern, count = 1) => {
      const every = new RegExp(pattern.source, `${pattern.flags.replace("g", "")}g`);
      await eventually(`the shim's log to have ${count} line(s) matching ${pattern}`, () => (stdout.match(every) ?? []).length >= count);
    },
    exited,
    stop: closedAfterTest(async () => {
      child.kill("SIGTERM");
      // A shim whose drain hangs (a failing test) must not outlive the test run.
      const timer = setTimeout(() => child.kill("SIGKILL"), 8_000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    }),
  };
}
