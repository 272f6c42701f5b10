import { describe, expect, it } from "vitest";
import { bundleFiles, loadedAtStart, topImports } from "./support/bundle.js";

// What npm start loads before it serves is what its start costs (docs/performance.md, ready to serve):
// what only some shims need is imported when asked for, and must stay out of the start.
describe("the bundle npm start runs (dist/shim.mjs and its chunks)", () => {
  const atStart = () => [...loadedAtStart().values()].flatMap(topImports);
  const anywhere = () => [...bundleFiles().values()];

  it("imports the tracing SDK only when tracing starts", () => {
    expect(anywhere().some((text) => text.includes('import("@opentelemetry/sdk-node")'))).toBe(true);
    expect(atStart().filter((specifier) => specifier.startsWith("@opentelemetry"))).toEqual([]);
    expect(anywhere().filter((text) => text.includes("node_modules/@opentelemetry/sdk-"))).toEqual([]);
  });

  it("loads capture only when SHIM_CAPTURE_DIR turns it on: a shim without it has none of its code", () => {
    const isRecorder = (text: string) => text.includes("capturing legacy requests");
    expect(anywhere().filter(isRecorder)).toHaveLength(1);
    expect([...loadedAtStart().values()].filter(isRecorder)).toEqual([]);
  });

  it("imports ioredis only for a Redis store: a shim on SQLite or memory starts without it", () => {
    expect(atStart()).not.toContain("ioredis");
    expect(atStart()).toContain("node:module");
    expect(anywhere().filter((text) => topImports(text).includes("ioredis"))).toHaveLength(1);
  });
});
