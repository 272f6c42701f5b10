import { describe, expect, it } from "vitest";
import { eventually } from "../../test/support/eventually.js";
import { MemoryStore } from "./memory.js";
import { resilientStore, StateUnavailable, WHILE_DOWN } from "./resilient.js";
import type { StateStore } from "./store.js";

/** A real in-memory store that can be made to fail, as a store that went down. */
function failing() {
  const store = new MemoryStore();
  const control = { down: false, calls: 0 };
  const proxy = new Proxy(store, {
    get(target, name, receiver) {
      const value = Reflect.get(target, name, receiver);
      if (typeof value !== "function" || name === "close") return value;
      return (...args: unknown[]) => {
        control.calls++;
        return control.down ? Promise.reject(new Error("ECONNREFUSED")) : value.apply(target, args);
      };
    },
  });
  return { store: proxy, control };
}

const windows = [{ limit: 1, windowMs: 60_000 }];

type FailOpen = { [K in keyof typeof WHILE_DOWN]: (typeof WHILE_DOWN)[K] extends "memory" ? K : never }[keyof typeof WHILE_DOWN];

/** A call of each method that fails open (the others are refused before their arguments are read). */
const FAIL_OPEN_ARGS: { [K in FailOpen]: Parameters<StateStore[K]> } = {
  reserve: ["k", windows, 0],
  holdBack: ["k", 1_000],
  inheritPace: ["k", "from"],
  hitCheck: [[{ key: "a", limit: 1 }], 1_000],
  hitAdmit: [[{ key: "a", limit: 1 }], 1_000, "t"],
  hitAdd: [["a"], 1_000, "t"],
  hitRemove: [["a"], "t"],
  setFlag: ["f", 1_000],
  hasFlag: ["f"],
};

/** A failing store behind a ResilientStore that fails open and probes every 10 ms, and what it said. */
function failingOpen() {
  const { store, control } = failing();
  const events: string[] = [];
  const resilient = resilientStore(store, {
    required: false,
    upAtStart: true,
    probeMs: 10,
    onDown: (_error, operation) => events.push(`down ${operation}`),
    onUp: () => events.push("up"),
  });
  return { control, resilient, events };
}

describe("ResilientStore", () => {
  it("fails open: pacing and failed logins go on in this process, the ledger says it cannot be written", async () => {
    const { control, resilient, events } = failingOpen();
    await resilient.reserve("k", windows, 0);
    control.down = true;
    expect(await resilient.reserve("k", windows, 0)).toEqual({ admitted: true, waitMs: 0 });
    expect((await resilient.reserve("k", windows, 0)).admitted).toBe(false);
    await expect(resilient.countPlacements("unknown")).rejects.toBeInstanceOf(StateUnavailable);
    expect(resilient.up).toBe(false);
    // Down: nothing but the probe asks the store, so a hung store costs no request its timeout.
    const asked = control.calls;
    await resilient.hasFlag("f");
    expect(control.calls).toBe(asked);

    control.down = false;
    await eventually("up once the probe answers", () => resilient.up);
    // Back: the store's own state again, which holds the call made before it went down.
    expect((await resilient.reserve("k", windows, 0)).admitted).toBe(false);
    expect(events).toEqual(["down reserve", "up"]);
    await resilient.close();
  });

  it("fails closed when required: pacing is refused too", async () => {
    const { store, control } = failing();
    const resilient = resilientStore(store, { required: true, upAtStart: true, onDown: () => undefined, onUp: () => undefined });
    control.down = true;
    await expect(resilient.reserve("k", windows, 0)).rejects.toBeInstanceOf(StateUnavailable);
    await expect(resilient.hitAdmit([{ key: "a", limit: 1 }], 1_000, "t")).rejects.toBeInstanceOf(StateUnavailable);
    await resilient.close();
  });

  it("is seen down by its probe while nothing is asked of it, and up again once the probe answers", async () => {
    const { control, resilient, events } = failingOpen();
    control.down = true;
    await eventually("down by the probe alone", () => !resilient.up);
    control.down = false;
    await eventually("up once the probe answers", () => resilient.up);
    expect(events).toEqual(["down ping", "up"]);
    await resilient.close();
  });

  it("passes the replicas' beats to the store, and says it is unavailable for them while it is down", async () => {
    const { store, control } = failing();
    const resilient = resilientStore(store, { required: false, upAtStart: true, onDown: () => undefined, onUp: () => undefined });
    const beat = { replica: "r1", version: "1.0.0", started_at: 1, at: 2 };
    await resilient.beat(beat, 0);
    expect(await resilient.replicas(0)).toEqual([beat]);
    control.down = true;
    await expect(resilient.beat(beat, 0)).rejects.toBeInstanceOf(StateUnavailable);
    await expect(resilient.replicas(0)).rejects.toBeInstanceOf(StateUnavailable);
    await resilient.close();
  });

  it.each([false, true])("does while the store is down what WHILE_DOWN says of each call (required: %s)", async (required) => {
    const { store, control } = failing();
    const resilient = resilientStore(store, { required, upAtStart: true, onDown: () => undefined, onUp: () => undefined });
    control.down = true;
    // ping goes to the store itself; the first guarded call finds it down.
    await expect(resilient.ping()).rejects.toThrow("ECONNREFUSED");
    await resilient.hasFlag("f").catch(() => undefined);
    expect(resilient.up).toBe(false);
    const calls = resilient as unknown as Record<keyof typeof WHILE_DOWN, (...args: unknown[]) => Promise<unknown>>;
    for (const [method, policy] of Object.entries(WHILE_DOWN) as [keyof typeof WHILE_DOWN, string][]) {
      if (policy === "store") continue;
      const asked = control.calls;
      const args: unknown[] = method in FAIL_OPEN_ARGS ? FAIL_OPEN_ARGS[method as FailOpen] : [];
      const outcome = calls[method](...args).then(
        () => "done",
        (error: unknown) => (error instanceof StateUnavailable ? "refused" : "failed"),
      );
      const expected = policy === "refuse" || required ? "refused" : "done";
      expect({ method, outcome: await outcome }).toEqual({ method, outcome: expected });
      expect(control.calls, method).toBe(asked);
    }
    await resilient.close();
  });
});
