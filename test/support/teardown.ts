import { onTestFinished } from "vitest";

/**
 * `close`, made safe to call twice, and run once the current test finishes: every
 * server a test starts is gone after it, whether the test passed, failed or
 * closed it itself. Outside a test or a beforeEach (in a beforeAll, say) vitest
 * has no test to attach it to, and closing stays the caller's.
 */
export function closedAfterTest<T>(close: () => Promise<T>): () => Promise<T> {
  let closing: Promise<T> | undefined;
  const once = () => {
    closing ??= close();
    return closing;
  };
  try {
    onTestFinished(async () => {
      await once();
    });
  } catch {
    // Not inside a test: the caller closes.
  }
  return once;
}
