// npm run gen:config: writes what the docs say of the settings from their declarations
// (src/config/settings.ts, through the build in dist/): the README's configuration tables,
// between their markers, and deploy/env.example. test/configuration-docs.test.ts fails
// until this has been run after a change.
import { readFileSync, writeFileSync } from "node:fs";
import { configurationTables, envExample, README_MARKERS } from "../dist/config/docs.js";

const readmeFile = new URL("../README.md", import.meta.url);
const readme = readFileSync(readmeFile, "utf8");
const begin = readme.indexOf(README_MARKERS.begin);
const end = readme.indexOf(README_MARKERS.end);
if (begin === -1 || end < begin)
  throw new Error(`README.md has lost the markers of the configuration tables:\n${README_MARKERS.begin}\n${README_MARKERS.end}`);
writeFileSync(readmeFile, readme.slice(0, begin) + configurationTables() + readme.slice(end + README_MARKERS.end.length));
writeFileSync(new URL("../deploy/env.example", import.meta.url), envExample());
console.log("wrote README.md's configuration tables and deploy/env.example");
