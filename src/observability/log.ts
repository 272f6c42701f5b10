import { type DestinationStream, type Logger, pino, stdTimeFunctions } from "pino";

export type { Logger };

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
    this.out = pino.destination({ dest, sync: false });
    this.out.on("write", (bytes: number) => {
      this.handedOver += bytes;
      this.release();
    });
    this.out.on("error", (error: NodeJS.ErrnoException) => this.fail(error));
  }

  write(line: string): void {
    this.given += Buffer.byteLength(line);
    this.out.write(line);
  }

  written(): Promise<void> {
    if (this.failed || this.handedOver >= this.given) return Promise.resolve();
    return new Promise((resolve) => this.waiting.push({ upTo: this.given, resolve }));
  }

  flushSync(): void {
    this.out.flushSync();
    // SonicBoom reports no `write` for what it flushes synchronously.
    this.handedOver = this.given;
    this.release();
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

/** Standard output. */
export const stdoutDestination = () => new AsyncDestination(1);

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
      timestamp: stdTimeFunctions.isoTime,
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
