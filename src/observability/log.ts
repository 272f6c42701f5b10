import { type DestinationStream, type Logger, pino, stdTimeFunctions } from "pino";

export type { Logger };

/** Standard output, written without blocking the event loop; flush it before the process exits. */
export const stdoutDestination = () => pino.destination({ dest: 1, sync: false });

/**
 * Structured JSON lines. The shim never logs headers or keys; the redaction of
 * a few top-level names is a second line of defence, kept to exact paths, which
 * cost next to nothing, where wildcards cost every line a walk.
 */
export function createLogger(level: string, destination: DestinationStream = stdoutDestination()): Logger {
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
