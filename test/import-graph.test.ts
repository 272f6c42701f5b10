import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { type ImportGraph, importRuleBreaks } from "./support/import-rules.js";

const SRC = resolve(import.meta.dirname, "../src");

/** Every module of src/ (tests aside) and what it imports, as paths relative to src/ or package names. */
function readGraph(): ImportGraph {
  const graph = new Map<string, string[]>();
  const files = readdirSync(SRC, { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts"));
  for (const file of files) {
    const { importedFiles } = ts.preProcessFile(readFileSync(join(SRC, file), "utf8"), true, true);
    const imports = importedFiles.map(({ fileName }) =>
      fileName.startsWith(".") ? relative(SRC, resolve(SRC, dirname(file), fileName)).replace(/\.js$/, ".ts") : fileName,
    );
    graph.set(file, imports);
  }
  return graph;
}

describe("the import graph of src/", () => {
  it("has no upward import and no cycle", () => {
    expect(importRuleBreaks(readGraph())).toEqual([]);
  });

  it("names the two files of an upward import, a package in the contract, and a cycle", () => {
    const broken: ImportGraph = new Map([
      ["contract/v2.ts", ["zod", "hono"]],
      ["mapping/order-request.ts", ["contract/v2.ts", "http/env.ts"]],
      ["http/env.ts", ["contract/v2.ts"]],
      ["v2/a.ts", ["v2/b.ts"]],
      ["v2/b.ts", ["v2/a.ts"]],
      ["app.ts", ["http/env.ts", "cli/v1-shim.ts"]],
      ["cli/v1-shim.ts", ["mapping/order-request.ts"]],
    ]);
    expect(importRuleBreaks(broken)).toEqual([
      "contract/v2.ts imports hono: the contract imports only zod",
      "mapping/order-request.ts imports http/env.ts: mapping may import only contract, lib",
      "app.ts imports cli/v1-shim.ts: the entry may import only contract, lib, config, mapping, v2, state, observability, ordering, migration, http, accounts, routes, dashboard, capture",
      "v2/a.ts and v2/b.ts import each other (v2/a.ts -> v2/b.ts -> v2/a.ts)",
    ]);
  });
});
