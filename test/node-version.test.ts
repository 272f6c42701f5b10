import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { SUPPORTED_NODE_MAJOR } from "../src/config/supported-node.js";
import { START_COMMAND } from "./support/process.js";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const packageJson = JSON.parse(readFileSync(`${ROOT}package.json`, "utf8"));
/** Makes the Node running the tests say it is `version`, before any module of the command runs. */
const pretend = (version: string) => `--import=data:text/javascript,Object.defineProperty(process.versions,"node",{value:"${version}"})`;
/** The machine's own node, when it is older than the one supported (Node 20 here and on CI): the real case. */
const OLD_NODE = ["/usr/bin/node", "/usr/local/bin/node"].find((path) => {
  const run = spawnSync(path, ["-p", "process.versions.node"], { encoding: "utf8" });
  return run.status === 0 && Number(run.stdout.split(".")[0]) < SUPPORTED_NODE_MAJOR;
});
const run = (node: string, args: string[]) => spawnSync(node, args, { cwd: ROOT, encoding: "utf8", env: { PATH: process.env.PATH ?? "" } });

describe(`Node ${SUPPORTED_NODE_MAJOR} LTS, and nothing older`, () => {
  it("is what package.json's engines, .nvmrc and the start's check say", () => {
    expect(packageJson.engines.node).toBe(`>=${SUPPORTED_NODE_MAJOR}`);
    expect(readFileSync(`${ROOT}.nvmrc`, "utf8").trim()).toBe(String(SUPPORTED_NODE_MAJOR));
    expect(packageJson.scripts.preinstall).toBe("node scripts/check-node.cjs");
  });

  it("npm install refuses an older Node before anything is installed, naming the version needed", () => {
    const refused = run(process.execPath, [pretend("22.12.0"), "scripts/check-node.cjs"]);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain(`needs Node.js ${SUPPORTED_NODE_MAJOR} or later`);
    expect(refused.stderr).toContain("this is Node.js 22.12.0");
    expect(run(process.execPath, ["scripts/check-node.cjs"]).status).toBe(0);
  });

  it("the start refuses an older Node before any other module runs, naming the version needed", () => {
    const [, ...args] = START_COMMAND.split(" ");
    const refused = run(process.execPath, [pretend("22.12.0"), ...args]);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toBe(
      `digicert-v1-shim: not starting. It needs Node.js ${SUPPORTED_NODE_MAJOR} or later, and this is Node.js 22.12.0 (${process.execPath}). In a clone of the shim, \`source .ci/node-env\` gives the shell Node.js ${SUPPORTED_NODE_MAJOR}.\n`,
    );
    const cli = run(process.execPath, [pretend("20.20.2"), "dist/cli/v1-shim.js", "config"]);
    expect([cli.status, cli.stderr]).toEqual([1, expect.stringContaining(`needs Node.js ${SUPPORTED_NODE_MAJOR} or later`)]);
  });

  it.skipIf(!OLD_NODE)(
    "on the machine's own older Node (the real one): npm install's check and the start refuse, with the message, not a stack",
    () => {
      const install = run(OLD_NODE!, ["scripts/check-node.cjs"]);
      expect([install.status, install.stderr]).toEqual([1, expect.stringContaining(`needs Node.js ${SUPPORTED_NODE_MAJOR} or later`)]);
      const [, ...args] = START_COMMAND.split(" ");
      const start = run(OLD_NODE!, args);
      expect(start.status).toBe(1);
      expect(start.stderr).toMatch(new RegExp(`^digicert-v1-shim: not starting\\. It needs Node\\.js ${SUPPORTED_NODE_MAJOR} or later`));
      expect(start.stderr).not.toMatch(/\n\s+at /);
    },
  );
});
