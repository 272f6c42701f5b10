import { appendFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { tempDir } from "../../test/support/temp-files.js";
import { readCaptures } from "./read.js";
import { CAPTURE_FORMAT, type CaptureRecord } from "./record.js";

const record = (reqId: string, at: string): CaptureRecord => ({
  capture: CAPTURE_FORMAT,
  at,
  req_id: reqId,
  shim: { version: "0.1.0", mode: "passthrough", v2: "sandbox", order_id_format: "number" },
  credentials: "none",
  request: { method: "GET", target: "/order/1", headers: {}, body: { as: "none" } },
  v2: [],
  answer: { status: 401, headers: {}, body: "" },
  log: {},
  duration_ms: 1,
});

describe("readCaptures", () => {
  it("reads a folder's capture files, replicas' records in the order they came, and counts the lines that are not records", async () => {
    const dir = tempDir("capture-read-");
    const a = join(dir, "capture-20260304T100000000Z-shim-a-1.jsonl");
    const b = join(dir, "capture-20260304T100000000Z-shim-b-1.jsonl");
    writeFileSync(
      a,
      `${JSON.stringify(record("a1", "2026-03-04T10:00:01.000Z"))}\n${JSON.stringify(record("a2", "2026-03-04T10:00:03.000Z"))}\n`,
    );
    // A process killed mid-write leaves its last line cut short.
    writeFileSync(b, `${JSON.stringify(record("b1", "2026-03-04T10:00:02.000Z"))}\n{"capture":1,"at":"2026-03-04T1`);
    writeFileSync(join(dir, "notes.jsonl"), "not a capture file\n");
    appendFileSync(a, `${JSON.stringify({ ...record("a3", "2026-03-04T10:00:04.000Z"), capture: 2 })}\n`);
    const read = await readCaptures([dir]);
    expect(read.records.map((r) => r.req_id)).toEqual(["a1", "b1", "a2"]);
    expect(read.unreadable).toEqual([`${a}:3`, `${b}:2`]);
    // A file named alone is read whatever its name.
    expect((await readCaptures([join(dir, "notes.jsonl")])).unreadable).toEqual([`${join(dir, "notes.jsonl")}:1`]);
    await expect(readCaptures([join(dir, "missing")])).rejects.toThrow(/ENOENT/);
  });
});
