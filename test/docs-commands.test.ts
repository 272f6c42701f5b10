import { spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync, readFileSync, symlinkSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { type DocBlock, docBlocks, outputLinePattern } from "./support/doc-blocks.js";
import { freeLoopbackPort } from "./support/ports.js";
import { START_COMMAND } from "./support/process.js";
import { tempDir } from "./support/temp-files.js";

// The docs' command blocks marked runnable, run as a reader pastes them into one shell, against
// the sandbox: in a folder of the test's own (examples/, test/ and the built dist/ linked in), the
// port the docs put in PORT=8080 replaced by a free one. Only what the suite has done already is
// not done again: vitest's global setup built dist/ and installed the dependencies, so `npm install`
// and `npm run build` do nothing here, `npm start` runs what it runs after its build (package.json's
// start), and `npx v1-shim` the package's own bin.

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const PAGES = ["README.md", "docs/getting-started.md", "docs/migration.md"];

const PRELUDE = `
set -m
npm() {
  case "$*" in
    install|"run build") ;;
    start) ${START_COMMAND.replace("dist/", `"${ROOT}dist/"`)} ;;
    *) echo "the docs' test does not run npm $*" >&2; return 127 ;;
  esac
}
npx() {
  if [ "$1" = v1-shim ]; then shift; node "${ROOT}dist/cli/v1-shim.js" "$@"; else echo "the docs' test does not run npx $*" >&2; return 127; fi
}
`;

const marker = (index: number) => `::docs-block ${index} exit`;

/** Runs a page's runnable blocks in one bash, and what each printed and how its last command exited. */
async function runPage(
  blocks: DocBlock[],
  port: number,
): Promise<{ dir: string; outputs: string[]; exits: number[]; stderr: string; code: number | null }> {
  const dir = tempDir("shim-docs-");
  for (const linked of ["dist", "examples", "test"]) symlinkSync(join(ROOT, linked), join(dir, linked));
  const runnable = blocks.filter((block) => block.kind === "runnable");
  const script = [
    PRELUDE,
    ...runnable.map((block, index) => {
      const text = block.text.replaceAll("PORT=8080", `PORT=${port}`);
      return `${text}\nprintf '\\n${marker(index)} %s\\n' "$?"`;
    }),
    // Whatever a page started in the background, it also stopped: waiting for it ends.
    "wait",
  ].join("\n");
  const child = spawn("bash", ["-c", script], {
    cwd: dir,
    env: { PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ""}`, HOME: dir, LANG: "C.UTF-8" },
    detached: true,
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const timer = setTimeout(() => process.kill(-child.pid!, "SIGKILL"), 150_000);
  const [code] = (await once(child, "exit")) as [number | null];
  clearTimeout(timer);
  const outputs: string[] = [];
  const exits: number[] = [];
  let rest = stdout;
  runnable.forEach((_, index) => {
    const at = rest.indexOf(marker(index));
    if (at === -1) return;
    outputs.push(rest.slice(0, at));
    const after = rest.slice(at + marker(index).length);
    exits.push(Number(after.match(/^ (\d+)/)?.[1]));
    rest = after.slice(after.indexOf("\n") + 1);
  });
  return { dir, outputs, exits, stderr, code };
}

describe.each(PAGES)("the runnable command blocks of %s", (page) => {
  const blocks = docBlocks(readFileSync(join(ROOT, page), "utf8"));

  it("run against the sandbox as pasted, each exiting as the page says and printing what it shows", { timeout: 180_000 }, async () => {
    const runnable = blocks.filter((block) => block.kind === "runnable");
    expect(runnable.length, `${page} has command blocks marked runnable`).toBeGreaterThan(0);
    const run = await runPage(blocks, await freeLoopbackPort());
    expect(run.code, `the page's commands ended (stderr: ${run.stderr})`).toBe(0);
    expect(run.exits.length, `every block ran (stderr: ${run.stderr})`).toBe(runnable.length);
    runnable.forEach((block, index) => {
      expect(run.exits[index], `${page}:${block.line} exits ${block.exit}\n${run.outputs[index]}\n${run.stderr}`).toBe(block.exit);
    });
    // A shim the page started, the page stopped: its log ends with the drain's last line.
    const log = join(run.dir, "shim.log");
    if (existsSync(log)) {
      await expect
        .poll(() => readFileSync(log, "utf8"), { timeout: 30_000, message: `${page}'s shim stopped` })
        .toContain('"msg":"stopped"');
    }
    // Each output block shows lines the runnable block before it printed.
    let last = -1;
    for (const block of blocks) {
      if (block.kind === "runnable") last++;
      else {
        const printed = (run.outputs[last] ?? "").split("\n").map((line) => line.trim());
        for (const line of block.text.split("\n").filter((text) => text.trim())) {
          expect(
            printed.some((text) => outputLinePattern(line).test(text)),
            `${page}:${block.line}: "${line}" is not among what the block before printed:\n${run.outputs[last]}`,
          ).toBe(true);
        }
      }
    }
  });
});
