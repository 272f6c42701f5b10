import { describe, expect, it } from "vitest";
import { Stops } from "./stops.js";

describe("Stops", () => {
  it("stops last first, each once, and goes on past a stop that fails", async () => {
    const done: string[] = [];
    const failures: string[] = [];
    const stops = new Stops((name) => failures.push(name));
    stops.add("store", () => done.push("store"));
    stops.add("pool", () => {
      throw new Error("closed already");
    });
    stops.add("desk", async () => {
      await Promise.resolve();
      done.push("desk");
    });
    await Promise.all([stops.stopAll(), stops.stopAll()]);
    expect(done).toEqual(["desk", "store"]);
    expect(failures).toEqual(["pool"]);
  });
});
