// npm run gen:config: writes what the docs say of the settings from their declarations
// (src/config/settings.ts, through the build in dist/): the configuration tables of docs/configuration.md,
// between their markers, and deploy/env.example. test/configuration-docs.test.ts fails
// until this has been run after a change.
import { readFileSync, writeFileSync } from "node:fs";
import { configurationTables, envExample, TABLE_MARKERS } from "../dist/config/docs.js";

const pageFile = new URL("../docs/configuration.md", import.meta.url);
const page = readFileSync(pageFile, "utf8");
const begin = page.indexOf(TABLE_MARKERS.begin);
const end = page.indexOf(TABLE_MARKERS.end);
if (begin === -1 || end < begin)
  throw new Error(`docs/configuration.md has lost the markers of the configuration tables:\n${TABLE_MARKERS.begin}\n${TABLE_MARKERS.end}`);
writeFileSync(pageFile, page.slice(0, begin) + configurationTables() + page.slice(end + TABLE_MARKERS.end.length));
writeFileSync(new URL("../deploy/env.example", import.meta.url), envExample());
console.log("wrote docs/configuration.md's tables and deploy/env.example");
