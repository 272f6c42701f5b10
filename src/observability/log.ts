import { fstatSync } from "node:fs";
import { Socket } from "node:net";
import { type DestinationStream, type Logger, pino, stdTimeFunctions } from "pino";

export type { Logger };

/**
 * Makes writes to standard output never wait when it is a pipe or a socket: a
 * write to a full one (a log reader that stopped reading) waits in one of
 * libuv's threads for ever, where the key hashes need them, and at exit libuv
 * waits for that thread, so the process could not end. libuv sets a pipe it
 * opens non-blocking; the handle is kept, unused, so that nothing closes fd 1.
 * Files and terminals do not fill up, and are left as they are.
 */
function neverWaitOnStdout(): Socket | undefined {
  try {
    const stat = fstatSync(1);
    return stat.isFIFO() || stat.isSocket() ? new Socket({ fd: 1, readable: false, writable: false }).unref() : undefined;
  } catch {
    // No standard output to speak of: nothing to wait on.
    return undefined;
  }
}

/** A destination that can say when every line it was given has been handed to the operating system. */
interface WrittenDestination extends DestinationStream {
  written(): Promise<void>;
}

/**
 * A file descriptor or file written without blocking the event loop (pino's
 * SonicBoom), which can also say when a line is out: it counts the bytes it is
 * given and the bytes SonicBoom reports written. Flush it before the process exits.
 */
export class AsyncDestination implements WrittenDestination {
  private readonly out: ReturnType<typeof pino.destination>;
  private given = 0;
  private handedOver = 0;
  /** Ascending by `upTo`, as lines are given in order. */
  private readonly waiting: { upTo: number; resolve: () => void }[] = [];
  /**
   * Once writing failed (the reader of the pipe gone, a full disk) nothing it
   * says is sure any more, and a log that cannot be written must not hold every
   * order back for ever: from then on, lines count as out at once.
   */
  private failed = false;

  constructor(dest: number | string) {
    // Lines handed over as bytes: in its text mode SonicBoom measures the whole pending text in
    // bytes on every line it is given, and encodes each write twice. Measured: an order on SQLite
    // 386 -> 342 µs of CPU, of which the log had cost 89 (docs/performance-history.md).
    this.out = pino.destination({ dest, sync: false, contentMode: "buffer" });
    this.out.on("write", (bytes: number) => {
      this.handedOver += bytes;
      this.release();
    });
    this.out.on("error", (error: NodeJS.ErrnoException) => this.fail(error));
  }

  write(line: string): void {
    const bytes = Buffer.from(line);
    this.given += bytes.length;
    // Its types say string; in buffer mode it takes bytes.
    this.out.write(bytes as unknown as string);
  }

  written(): Promise<void> {
    if (this.failed || this.handedOver >= this.given) return Promise.resolve();
    return new Promise((resolve) => this.waiting.push({ upTo: this.given, resolve }));
  }

  /**
   * Writes out what is pending and ends the stream, waiting `ms` at most: a
   * reader that stops reading (a full pipe) blocks a write for ever, and the
   * exit must not wait on it, as a synchronous flush does. Destroyed past
   * that, the stream is not flushed again by pino's own handler at exit.
   */
  flushWithin(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.out.destroy();
        resolve();
      }, ms);
      this.out.once("close", () => {
        clearTimeout(timer);
        resolve();
      });
      this.out.end();
    });
  }

  private fail(error: NodeJS.ErrnoException): void {
    // Said where it can still be read; pino itself stops writing on a closed pipe.
    if (!this.failed) process.stderr.write(`digicert-v1-shim: the log cannot be written (${error.code ?? error.name})\n`);
    this.failed = true;
    for (const { resolve } of this.waiting.splice(0)) resolve();
  }

  private release(): void {
    while (this.waiting.length > 0 && this.waiting[0]!.upTo <= this.handedOver) this.waiting.shift()!.resolve();
  }
}

/** Standard output, written without blocking the event loop, and never waiting on a full pipe. */
export function stdoutDestination(): AsyncDestination {
  neverWaitOnStdout();
  return new AsyncDestination(1);
}

const destinations = new WeakMap<Logger, DestinationStream>();

/**
 * Structured JSON lines. The shim never logs headers or keys; the redaction of
 * a few top-level names is a second line of defence, kept to exact paths, which
 * cost next to nothing, where wildcards cost every line a walk.
 */
export function createLogger(level: string, destination: DestinationStream = stdoutDestination()): Logger {
  const logger = pino(
    {
      level,
      base: undefined,
      // Milliseconds since the epoch: an ISO string costs each line a Date and its formatting (measured).
      timestamp: stdTimeFunctions.epochTime,
      redact: { paths: ["authorization", "headers", "apiKey", "password"], censor: "[redacted]" },
    },
    destination,
  );
  destinations.set(logger, destination);
  return logger;
}

const isWritten = (destination: DestinationStream | undefined): destination is WrittenDestination =>
  destination !== undefined && "written" in destination && typeof destination.written === "function";

/**
 * Logs one line at info and resolves once it is out of the process, so that a
 * `kill -9` right after still leaves it on the pipe or the disk. Only this line
 * is waited for; nothing blocks the event loop. A destination that writes as it
 * is called (a test's) is out at once.
 */
export function logBeforeActing(logger: Logger, fields: object, message: string): Promise<void> {
  logger.info(fields, message);
  const destination = destinations.get(logger);
  return isWritten(destination) ? destination.written() : Promise.resolve();
}
