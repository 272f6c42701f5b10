import { readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { open } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { tempDir } from "../../test/support/temp-files.js";
import { CAPTURE_FILE, CaptureWriter, type CaptureWriterOptions, type DropReason } from "./writer.js";

const DAY_MS = 86_400_000;

/** A writer into a fresh folder, with what it counts and says kept for the test. */
function writer(options: Partial<CaptureWriterOptions> = {}) {
  const dir = options.dir ?? tempDir("capture-writer-");
  const counted = { written: 0, buffer_full: 0, write_failed: 0 } satisfies Record<"written" | DropReason, number>;
  const said: string[] = [];
  const made = new CaptureWriter({
    dir,
    maxFileBytes: 1_000,
    retentionMs: 7 * DAY_MS,
    replicaId: "shim-a:12",
    onWritten: (n) => (counted.written += n),
    onDropped: (reason, n) => (counted[reason] += n),
    onFailing: (error) => said.push(`failing ${(error as NodeJS.ErrnoException).code}`),
    onRecovered: () => said.push("recovered"),
    ...options,
  });
  const files = () =>
    readdirSync(dir)
      .filter((name) => CAPTURE_FILE.test(name))
      .sort();
  return { made, dir, counted, said, files, lines: () => files().flatMap((f) => readFileSync(join(dir, f), "utf8").trim().split("\n")) };
}

const line = (n: number) => JSON.stringify({ n, pad: "x".repeat(180) });

describe("CaptureWriter", () => {
  it("appends lines in order, and begins a new file once one holds the most it may", async () => {
    const { made, files, lines, counted, dir } = writer();
    for (let n = 1; n <= 12; n++) {
      made.add(line(n));
      // One at a time, so that each write is its own and the files fill as they would under light traffic.
      await made.flush();
    }
    await made.close();
    expect(lines().map((text) => JSON.parse(text).n)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect(files().length).toBeGreaterThanOrEqual(3);
    for (const name of files()) expect(statSync(join(dir, name)).size).toBeLessThanOrEqual(1_000);
    // Named by time, replica and sequence, readable by the shim's user alone.
    expect(files()[0]).toMatch(/^capture-\d{8}T\d{9}Z-shim-a_12-1\.jsonl$/);
    expect(statSync(join(dir, files()[0]!)).mode & 0o777).toBe(0o600);
    expect(counted).toEqual({ written: 12, buffer_full: 0, write_failed: 0 });
  });

  it("deletes the capture files last written before the retention, and nothing else", async () => {
    let clock = Date.now();
    const { made, dir, files } = writer({ now: () => clock });
    const old = "capture-20260101T000000000Z-shim-b-1.jsonl";
    const recent = "capture-20260101T000000000Z-shim-b-2.jsonl";
    const notOurs = "notes.jsonl";
    for (const name of [old, recent, notOurs]) writeFileSync(join(dir, name), "{}\n");
    const eightDaysAgo = (clock - 8 * DAY_MS) / 1000;
    utimesSync(join(dir, old), eightDaysAgo, eightDaysAgo);
    utimesSync(join(dir, notOurs), eightDaysAgo, eightDaysAgo);
    await made.sweep();
    expect(readdirSync(dir).sort()).toEqual([notOurs, recent].sort());
    // Eight days on, the rest goes too, but never the file being written.
    made.add(line(1));
    await made.flush();
    const current = files().find((name) => name !== recent)!;
    clock += 8 * DAY_MS;
    await made.sweep();
    expect(readdirSync(dir).sort()).toEqual([current, notOurs].sort());
    await made.close();
  });

  it("drops and counts what a full disk refuses, says so once, and writes again once it can", async () => {
    let full = true;
    // /dev/full answers every write with ENOSPC: the kernel's own full disk.
    const openFile = (path: string) => (full ? open("/dev/full", "a") : open(path, "a"));
    const { made, counted, said, lines } = writer({ openFile });
    for (let n = 1; n <= 3; n++) {
      made.add(line(n));
      await made.flush();
    }
    expect(counted).toEqual({ written: 0, buffer_full: 0, write_failed: 3 });
    expect(said).toEqual(["failing ENOSPC"]);
    full = false;
    made.add(line(4));
    await made.close();
    expect(counted).toEqual({ written: 1, buffer_full: 0, write_failed: 3 });
    expect(said).toEqual(["failing ENOSPC", "recovered"]);
    expect(lines().map((text) => JSON.parse(text).n)).toEqual([4]);
  });

  it("drops and counts lines past its buffer, without waiting or throwing", async () => {
    const { made, counted } = writer({ maxPendingBytes: 1_000 });
    // The first line is taken for writing at once; the buffer then holds four more of these.
    for (let n = 1; n <= 10; n++) made.add(line(n));
    await made.close();
    expect(counted.written + counted.buffer_full).toBe(10);
    expect(counted.buffer_full).toBeGreaterThan(0);
    expect(counted.write_failed).toBe(0);
    made.add(line(11));
    expect(counted.buffer_full + counted.written).toBe(11);
  });
});
