/** Stops a command: its message goes to stderr, its code is the process's exit code. */
export class Exit extends Error {
  constructor(
    readonly code: 1 | 2,
    message: string,
  ) {
    super(message);
    this.name = "Exit";
  }
}

export const usageError = (message: string) => new Exit(2, `v1-shim: ${message}`);

export const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));
