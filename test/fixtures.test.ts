import { readdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, it } from "vitest";
import { runFixtureCase } from "./support/fixture-case.js";

// Each folder under fixtures/<group>/ is one paired case (its files: support/fixture-case.ts).
const root = fileURLToPath(new URL("./fixtures/", import.meta.url));
const cases = readdirSync(root).flatMap((group) => readdirSync(join(root, group)).map((name) => `${group}/${name}`));

describe("fixtures", () => {
  for (const name of cases.sort()) it(name, () => runFixtureCase(join(root, name)));
});
