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

/** Standard output, written without blocking the event loop; `flushWithin` writes out what is pending before the process exits. */
export function stdoutDestination() {
  const handle = neverWaitOnStdout();
  const stream = pino.destination({ dest: 1, sync: false });
  return {
    stream,
    handle,
    /**
     * Writes out what is pending and ends the stream, waiting `ms` at most: a
     * reader that stops reading (a full pipe) blocks a write for ever, and the
     * exit must not wait on it, as a synchronous flush does. Destroyed past
     * that, the stream is not flushed again by pino's own handler at exit.
     */
    flushWithin(ms: number): Promise<void> {
      return new Promise((resolve) => {
        const timer = setTimeout(() => {
          stream.destroy();
          resolve();
        }, ms);
        stream.once("close", () => {
          clearTimeout(timer);
          resolve();
        });
        stream.end();
      });
    },
  };
}

/**
 * Structured JSON lines. The shim never logs headers or keys; the redaction of
 * a few top-level names is a second line of defence, kept to exact paths, which
 * cost next to nothing, where wildcards cost every line a walk.
 */
export function createLogger(level: string, destination: DestinationStream = stdoutDestination().stream): Logger {
  return pino(
    {
      level,
      base: undefined,
      timestamp: stdTimeFunctions.isoTime,
      redact: { paths: ["authorization", "headers", "apiKey", "password"], censor: "[redacted]" },
    },
    destination,
  );
}
