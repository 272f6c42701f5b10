/**
 * What a running shim must stop, each part registering its own as it starts:
 * stopped last first, so that nothing is stopped before what still uses it (the
 * store after the desk that writes to it). A stop that fails is reported and
 * the others still run.
 */
export class Stops {
  readonly #stops: { name: string; stop: () => unknown }[] = [];
  #stopping: Promise<void> | undefined;

  constructor(private readonly failed: (name: string, error: unknown) => void) {}

  add(name: string, stop: () => unknown): void {
    this.#stops.push({ name, stop });
  }

  /** Each registered stop, last first, once however often it is called. */
  stopAll(): Promise<void> {
    this.#stopping ??= (async () => {
      for (const { name, stop } of this.#stops.reverse()) {
        try {
          await stop();
        } catch (error) {
          this.failed(name, error);
        }
      }
    })();
    return this.#stopping;
  }
}
