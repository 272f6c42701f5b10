import { describe, expect, it } from "vitest";
import { eventually } from "../../test/support/eventually.js";
import { MemoryStore } from "./memory.js";
import { ResilientStore, StateUnavailable } from "./resilient.js";

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

/** A failing store behind a ResilientStore that fails open and probes every 10 ms, and what it said. */
function failingOpen() {
  const { store, control } = failing();
  const events: string[] = [];
  const resilient = new ResilientStore(store, {
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
    const resilient = new ResilientStore(store, { required: true, upAtStart: true, onDown: () => undefined, onUp: () => undefined });
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
    const resilient = new ResilientStore(store, { required: false, upAtStart: true, onDown: () => undefined, onUp: () => undefined });
    const beat = { replica: "r1", version: "1.0.0", started_at: 1, at: 2 };
    await resilient.beat(beat, 0);
    expect(await resilient.replicas(0)).toEqual([beat]);
    control.down = true;
    await expect(resilient.beat(beat, 0)).rejects.toBeInstanceOf(StateUnavailable);
    await expect(resilient.replicas(0)).rejects.toBeInstanceOf(StateUnavailable);
    await resilient.close();
  });
});
