import { type FileHandle, mkdir, open, readdir, stat, unlink } from "node:fs/promises";
import { join } from "node:path";

/** Why a record was not written: the buffer was full (the disk slower than the traffic), or writing failed. */
export type DropReason = "buffer_full" | "write_failed";

export interface CaptureWriterOptions {
  dir: string;
  /** A file is closed, and the next begun, once it holds this many bytes. */
  maxFileBytes: number;
  /** Files last written longer ago than this are deleted. */
  retentionMs: number;
  /** In the files' names, so that replicas writing to one folder never share a file. */
  replicaId: string;
  /** Records waiting to be written may hold this many bytes; past it, records are dropped and counted. */
  maxPendingBytes?: number;
  now?: () => number;
  /** Opens a file to append to (tests open /dev/full with it, to meet a full disk). */
  openFile?: (path: string) => Promise<FileHandle>;
  onWritten?: (records: number) => void;
  onDropped?: (reason: DropReason, records: number) => void;
  /** The first failure after writes went well, and the first success after failures: for one log line each. */
  onFailing?: (error: unknown) => void;
  onRecovered?: () => void;
}

/** The files a writer makes, and the only ones its retention deletes. */
export const CAPTURE_FILE = /^capture-\d{8}T\d{9}Z-[\w.-]+-\d+\.jsonl$/;

const DEFAULT_MAX_PENDING_BYTES = 8 * 1024 * 1024;
const SWEEP_EVERY_MS = 3_600_000;

/** `20260304T101502123Z`: sorts as time does. */
const stamp = (ms: number) => new Date(ms).toISOString().replace(/[-:.]/g, "");

/**
 * Appends capture lines (JSON lines) to files in a folder, in the background:
 * `add` never waits and never throws. One write at a time, of every line
 * waiting; a bounded backlog; files rotated by size and deleted by age. A
 * failed write (an unwritable folder, a full disk) drops its lines, counted,
 * and the next write opens a new file.
 */
export class CaptureWriter {
  private readonly pending: string[] = [];
  private pendingBytes = 0;
  private file: { handle: FileHandle; path: string; bytes: number } | undefined;
  private writing: Promise<void> | undefined;
  private failing = false;
  private sequence = 0;
  private closed = false;
  private readonly sweeper: NodeJS.Timeout;
  private readonly now: () => number;
  private readonly maxPendingBytes: number;

  constructor(private readonly options: CaptureWriterOptions) {
    this.now = options.now ?? Date.now;
    this.maxPendingBytes = options.maxPendingBytes ?? DEFAULT_MAX_PENDING_BYTES;
    this.sweeper = setInterval(() => void this.sweep(), SWEEP_EVERY_MS).unref();
  }

  /** One record, as a JSON line without its newline; dropped, and counted, when the backlog is full or the writer closed. */
  add(line: string): void {
    if (this.closed || this.pendingBytes + line.length > this.maxPendingBytes) {
      this.options.onDropped?.("buffer_full", 1);
      return;
    }
    this.pending.push(line);
    this.pendingBytes += line.length + 1;
    this.writing ??= this.drain();
  }

  /** Resolves once every line added so far is written (or dropped). */
  async flush(): Promise<void> {
    while (this.writing) await this.writing;
  }

  /** Writes what waits, then closes the file; lines added later are dropped. */
  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.sweeper);
    await this.flush();
    await this.file?.handle.close().catch(() => undefined);
    this.file = undefined;
  }

  /** Deletes the capture files last written before the retention began; never the file being written. */
  async sweep(): Promise<void> {
    const before = this.now() - this.options.retentionMs;
    let names: string[];
    try {
      names = await readdir(this.options.dir);
    } catch {
      return;
    }
    for (const name of names.filter((n) => CAPTURE_FILE.test(n))) {
      const path = join(this.options.dir, name);
      if (path === this.file?.path) continue;
      try {
        if ((await stat(path)).mtimeMs < before) await unlink(path);
      } catch {
        // Gone already, or not ours to delete: the next sweep sees it again.
      }
    }
  }

  private async drain(): Promise<void> {
    while (this.pending.length > 0) {
      const lines = this.pending.splice(0);
      this.pendingBytes = 0;
      const bytes = Buffer.from(`${lines.join("\n")}\n`);
      try {
        const file = await this.fileFor(bytes.length);
        await file.handle.appendFile(bytes);
        file.bytes += bytes.length;
        this.options.onWritten?.(lines.length);
        if (this.failing) {
          this.failing = false;
          this.options.onRecovered?.();
        }
      } catch (error) {
        this.options.onDropped?.("write_failed", lines.length);
        if (!this.failing) {
          this.failing = true;
          this.options.onFailing?.(error);
        }
        // The next write starts a new file: the one that failed may be gone, or be cut mid-line.
        const failed = this.file;
        this.file = undefined;
        await failed?.handle.close().catch(() => undefined);
      }
    }
    this.writing = undefined;
  }

  /** The file to append `bytes` to: the current one, or a new one when there is none or it is full. */
  private async fileFor(bytes: number): Promise<{ handle: FileHandle; path: string; bytes: number }> {
    if (this.file && (this.file.bytes === 0 || this.file.bytes + bytes <= this.options.maxFileBytes)) return this.file;
    const full = this.file;
    this.file = undefined;
    await full?.handle.close();
    // Captures hold what clients ordered (names, addresses, contacts): the folder and files are the shim's user's alone.
    await mkdir(this.options.dir, { recursive: true, mode: 0o700 });
    this.sequence += 1;
    const name = `capture-${stamp(this.now())}-${this.options.replicaId.replace(/[^\w.-]/g, "_")}-${this.sequence}.jsonl`;
    const path = join(this.options.dir, name);
    const handle = await (this.options.openFile ?? ((p: string) => open(p, "a", 0o600)))(path);
    this.file = { handle, path, bytes: 0 };
    void this.sweep();
    return this.file;
  }
}
