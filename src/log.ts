import { pino, stdTimeFunctions, type DestinationStream, type Logger } from "pino";

export type { Logger };

/**
 * Structured JSON lines. The shim never logs headers or keys; the redaction is a
 * second line of defence should an object that holds one ever be logged.
 */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: undefined,
      timestamp: stdTimeFunctions.isoTime,
      redact: {
        paths: ["authorization", "*.authorization", "headers", "*.headers", "apiKey", "*.apiKey", "password", "*.password"],
        censor: "[redacted]",
      },
    },
    destination,
  );
}
