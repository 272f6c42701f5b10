import { describe, expect, it } from "vitest";
import { HashSlots } from "./hash-slots.js";

/** Work that ends when the test says so. */
function gated() {
  let open: () => void = () => undefined;
  const gate = new Promise<string>((resolve) => {
    open = () => resolve("done");
  });
  return { work: () => gate, open: () => open() };
}

describe("HashSlots", () => {
  it("runs at most `concurrency` at once, and hands a freed slot to the longest waiter", async () => {
    const slots = new HashSlots({ concurrency: 1, maxWaitMs: 60_000, maxWaiting: 10 });
    const [first, second] = [gated(), gated()];
    const running = slots.run(first.work);
    let secondStarted = false;
    const waiting = slots.run(() => {
      secondStarted = true;
      return second.work();
    });
    // A free slot starts its work at once, within run(): past every callback queued now, the second has not started.
    await new Promise((resolve) => setImmediate(resolve));
    expect(secondStarted).toBe(false);
    first.open();
    expect(await running).toEqual({ result: "done" });
    second.open();
    expect(await waiting).toEqual({ result: "done" });
    expect(secondStarted).toBe(true);
  });

  it("turns a check away once it has waited maxWaitMs, or at once when maxWaiting are waiting", async () => {
    const slots = new HashSlots({ concurrency: 1, maxWaitMs: 50, maxWaiting: 1 });
    const busy = gated();
    const running = slots.run(busy.work);
    let calls = 0;
    const counted = () => {
      calls++;
      return Promise.resolve("late");
    };
    const [waited, refusedAtOnce] = [slots.run(counted), slots.run(counted)];
    expect(await refusedAtOnce).toBe("busy");
    expect(await waited).toBe("busy");
    expect(calls).toBe(0);
    busy.open();
    await running;
    // The slot is free again.
    expect(await slots.run(counted)).toEqual({ result: "late" });
  });
});
