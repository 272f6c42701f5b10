import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../src/config/config.js";
import { START_COMMAND } from "./support/process.js";
import { writeTempFile } from "./support/temp-files.js";

const UNIT = fileURLToPath(new URL("../deploy/systemd/digicert-v1-shim.service", import.meta.url));
const TEXT = readFileSync(UNIT, "utf8");
/** Every value of `key` in the unit, in order. */
const values = (key: string) => [...TEXT.matchAll(new RegExp(`^${key}=(.*)$`, "gm"))].map(([, value]) => value!);
const value = (key: string) => values(key).at(-1);

/** systemd-analyze, from Debian's systemd (.ci/run installs it); on a file, no running systemd needed. */
function analyze(args: string[]) {
  const run = spawnSync("systemd-analyze", args, { encoding: "utf8" });
  if (run.error) expect.fail(`systemd-analyze cannot run (${run.error.message}): .ci/run installs Debian's systemd`);
  return run;
}

/** `systemd-analyze security`'s overall exposure, 0 (safest) to 10, of a unit file. */
function exposure(file: string): number {
  const run = analyze(["security", "--offline=true", "--no-pager", file]);
  const score = run.stdout.match(/Overall exposure level for [^:]+: (\d+(\.\d+)?)/)?.[1];
  expect(score, run.stdout + run.stderr).toBeDefined();
  return Number(score);
}

describe("deploy/systemd/digicert-v1-shim.service", () => {
  it("passes systemd-analyze verify", () => {
    const run = analyze(["verify", UNIT]);
    expect([run.status, run.stderr]).toEqual([0, ""]);
  });

  it("is hardened to a systemd-analyze security exposure under 4, where a bare unit is far above", () => {
    expect(exposure(UNIT)).toBeLessThan(4);
    const bare = writeTempFile("bare.service", "[Service]\nExecStart=/usr/bin/node dist/shim.mjs\n");
    expect(exposure(bare)).toBeGreaterThan(8);
  });

  it("starts as npm start does, as a user systemd makes, its state in the StateDirectory, with a stop timeout above the drain", () => {
    expect(value("ExecStart")).toBe(`/usr/bin/${START_COMMAND}`);
    expect(value("DynamicUser")).toBe("yes");
    const env = Object.fromEntries(values("Environment").map((line) => line.split(/=(.*)/s).slice(0, 2)));
    expect(env.SHIM_STATE).toBe(`sqlite:/var/lib/${value("StateDirectory")}/shim-state.db`);
    expect(value("ProtectSystem")).toBe("strict");
    const config = loadConfig({ ...env, DIGICERT_API_URL: "https://www.digicert.com/services/v2" });
    expect(Number(value("TimeoutStopSec"))).toBeGreaterThan((config.shutdownGraceMs + config.retry.deadlineMs) / 1000 + 5);
    expect(value("KillSignal")).toBe("SIGTERM");
  });
});
