import { execFileSync } from "node:child_process";
import { closeSync, constants, openSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { describe, expect, it, onTestFinished, vi } from "vitest";
import { eventually } from "../../test/support/eventually.js";
import { writeTempFile } from "../../test/support/temp-files.js";
import { AsyncDestination, createLogger, logBeforeActing } from "./log.js";

const linesOf = (path: string) =>
  readFileSync(path, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>);

describe("a log line", () => {
  it("says when it was logged in milliseconds since the epoch, as docs/observability.md's Logs section says", async () => {
    const path = writeTempFile("shim.log", "");
    const destination = new AsyncDestination(path);
    const before = Date.now();
    await logBeforeActing(createLogger("info", destination), {}, "placing order");
    const [line] = linesOf(path);
    expect(line?.time).toBeTypeOf("number");
    expect(line?.time).toBeGreaterThanOrEqual(before);
    expect(line?.time).toBeLessThanOrEqual(Date.now());
    await destination.flushWithin(1_000);
  });
});

describe("a line logged before acting", () => {
  it("is in the file once its promise resolves, behind every line logged before it", async () => {
    const path = writeTempFile("shim.log", "");
    const destination = new AsyncDestination(path);
    const logger = createLogger("info", destination);

    // The file is still being opened: nothing can have been written yet.
    await logBeforeActing(logger, { alternative_order_id: "v1shim1" }, "placing order");
    expect(linesOf(path)).toMatchObject([{ msg: "placing order", alternative_order_id: "v1shim1" }]);

    // Characters of two and three bytes: what is out is counted in bytes, not characters.
    for (let i = 0; i < 500; i++) logger.info({ i, padding: "ü✓".repeat(100) }, "request");
    await logBeforeActing(logger, { alternative_order_id: "v1shim2" }, "placing order");
    const lines = linesOf(path);
    expect(lines).toHaveLength(502);
    expect(lines.at(-1)).toMatchObject({ msg: "placing order", alternative_order_id: "v1shim2" });
    await destination.flushWithin(1_000);
  });

  it("holds nothing back once the log cannot be written: a pipe whose reader is gone", async () => {
    const fifo = join(dirname(writeTempFile("unused", "")), "log.fifo");
    execFileSync("mkfifo", [fifo]);
    const reader = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
    const writer = openSync(fifo, constants.O_WRONLY);
    closeSync(reader);
    onTestFinished(() => closeSync(writer));
    const said = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
    onTestFinished(() => said.mockRestore());
    const logger = createLogger("info", new AsyncDestination(writer));

    // The write fails (EPIPE): the line counts as out, and the failure is said where it can still be read.
    let first = "held";
    void logBeforeActing(logger, { alternative_order_id: "v1shim1" }, "placing order").then(() => (first = "out"));
    await eventually("the first line let go once its write failed", () => first === "out");
    expect(said).toHaveBeenCalledWith("digicert-v1-shim: the log cannot be written (EPIPE)\n");
    // From then on every line is let go at once: before anything the event loop does next.
    const next = logBeforeActing(logger, { alternative_order_id: "v1shim2" }, "placing order").then(() => "out");
    const turn = new Promise((resolve) => setImmediate(() => resolve("held")));
    expect(await Promise.race([next, turn])).toBe("out");
  });

  it("resolves at once when the level leaves the line out, or the destination writes as it is called", async () => {
    const quiet = createLogger("warn", new AsyncDestination(writeTempFile("quiet.log", "")));
    await logBeforeActing(quiet, {}, "placing order");
    const written: string[] = [];
    await logBeforeActing(createLogger("info", { write: (line) => void written.push(line) }), {}, "placing order");
    expect(written).toHaveLength(1);
  });
});
