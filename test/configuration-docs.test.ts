import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { configurationTables, envExample, TABLE_MARKERS } from "../src/config/docs.js";
import { SETTINGS } from "../src/config/settings.js";

const ROOT = new URL("../", import.meta.url);
const read = (file: string) => readFileSync(new URL(file, ROOT), "utf8");
const REGENERATE = "run `npm run gen:config` after changing src/config/settings.ts";

/** Every .ts file of src/, tests aside. */
function sourceFiles(dir = new URL("src/", ROOT).pathname): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? sourceFiles(join(dir, entry.name))
      : entry.name.endsWith(".ts") && !entry.name.endsWith(".test.ts")
        ? [join(dir, entry.name)]
        : [],
  );
}

describe("the settings, said once (src/config/settings.ts)", () => {
  it("are the tables of docs/configuration.md, as generated", () => {
    const page = read("docs/configuration.md");
    const generated = page.slice(page.indexOf(TABLE_MARKERS.begin), page.indexOf(TABLE_MARKERS.end) + TABLE_MARKERS.end.length);
    expect(generated, REGENERATE).toBe(configurationTables());
  });

  it("are deploy/env.example, as generated: every variable, at its default", () => {
    const example = read("deploy/env.example");
    expect(example, REGENERATE).toBe(envExample());
    for (const name of Object.keys(SETTINGS)) expect(example).toMatch(new RegExp(`^#${name}=`, "m"));
  });

  it("are every SHIM_ variable the code names: none is read without a declaration", () => {
    const texts = sourceFiles().map((file) => readFileSync(file, "utf8"));
    const named = new Set(texts.flatMap((text) => text.match(/\bSHIM_[A-Z0-9_]+\b/g) ?? []));
    // A constant of the code's own (SHIM_VERSION) is no variable.
    const constants = new Set(texts.flatMap((text) => [...text.matchAll(/\bconst (SHIM_[A-Z0-9_]+)\b/g)].map(([, name]) => name)));
    expect([...named].filter((name) => !(name in SETTINGS) && !constants.has(name)).sort()).toEqual([]);
  });
});
