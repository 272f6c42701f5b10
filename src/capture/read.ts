import { readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { type CaptureRecord, captureRecordSchema } from "./record.js";
import { CAPTURE_FILE } from "./writer.js";

export interface ReadCaptures {
  /** Every record, oldest first. */
  records: CaptureRecord[];
  /** Lines that are not records: a file cut off mid-line (a killed process), or not a capture. `file:line`. */
  unreadable: string[];
}

/** The capture files a path names: itself, or the capture files of a folder in the order they were written. */
async function captureFiles(path: string): Promise<string[]> {
  if (!(await stat(path)).isDirectory()) return [path];
  return (await readdir(path))
    .filter((name) => CAPTURE_FILE.test(name))
    .sort()
    .map((name) => join(path, name));
}

/** The records of capture files and folders; a path that cannot be read rejects. */
export async function readCaptures(paths: readonly string[]): Promise<ReadCaptures> {
  const records: CaptureRecord[] = [];
  const unreadable: string[] = [];
  for (const file of (await Promise.all(paths.map(captureFiles))).flat()) {
    const lines = (await readFile(file, "utf8")).split("\n");
    lines.forEach((line, index) => {
      if (line.trim() === "") return;
      const record = parseRecord(line);
      if (record) records.push(record);
      else unreadable.push(`${file}:${index + 1}`);
    });
  }
  // Replicas write files of their own: their records interleave by time.
  records.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  return { records, unreadable };
}

function parseRecord(line: string): CaptureRecord | undefined {
  try {
    const parsed = captureRecordSchema.safeParse(JSON.parse(line));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
