import { describe, expect, it, onTestFinished } from "vitest";
import { eventually } from "../../test/support/eventually.js";
import { SHIM_VERSION } from "../contract/version.js";
import { MemoryStore } from "../state/memory.js";
import { ReplicaHeartbeat } from "./replica-heartbeat.js";

describe("ReplicaHeartbeat", () => {
  it("writes the replica's id, version, start and time, each beat over the last, and forgets beats an hour old", async () => {
    const store = new MemoryStore();
    let now = 10 * 3_600_000;
    await store.beat({ replica: "gone", version: "0.0.1", started_at: 0, at: now - 61 * 60_000 }, 0);
    const heartbeat = new ReplicaHeartbeat(store, { replicaId: "shim-a", now: () => now });
    await heartbeat.beat();
    now += 15_000;
    await heartbeat.beat();
    expect(await store.replicas(0)).toEqual([{ replica: "shim-a", version: SHIM_VERSION, started_at: now - 15_000, at: now }]);
  });

  it("beats at start, on a timer, and stops", async () => {
    const store = new MemoryStore();
    const heartbeat = new ReplicaHeartbeat(store, { replicaId: "shim-b", everyMs: 5 });
    heartbeat.start();
    onTestFinished(() => heartbeat.stop());
    const first = (await store.replicas(0))[0]!.at;
    await eventually("a beat on the timer", async () => expect((await store.replicas(0))[0]!.at).toBeGreaterThan(first));
    heartbeat.stop();
  });
});
