import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const DIST = fileURLToPath(new URL("../../dist/", import.meta.url));
/** An import at the top of an ES module (what it loads before it runs), not an `import()` in its code. */
const STATIC_IMPORT = /^import\s+(?:[\w$*{}\s,]+?\s+from\s+)?["']([^"']+)["']/gm;

/** The packages a file imports at its top. */
export const topImports = (text: string): string[] => [...text.matchAll(STATIC_IMPORT)].map(([, specifier]) => specifier!);

/** What `node dist/shim.mjs` loads as it starts: the bundle, and every file of dist it imports at its top, by path. */
export function loadedAtStart(): Map<string, string> {
  const loaded = new Map<string, string>();
  const load = (path: string) => {
    if (loaded.has(path)) return;
    const text = readFileSync(path, "utf8");
    loaded.set(path, text);
    for (const specifier of topImports(text)) if (specifier.startsWith(".")) load(resolve(dirname(path), specifier));
  };
  load(join(DIST, "shim.mjs"));
  return loaded;
}

/** Every file of the bundle, by path: the shim and its chunks, loaded at the start or when asked for. */
export function bundleFiles(): Map<string, string> {
  const chunks = readdirSync(join(DIST, "chunks")).filter((name) => name.endsWith(".mjs"));
  return new Map(
    [join(DIST, "shim.mjs"), ...chunks.map((name) => join(DIST, "chunks", name))].map((path) => [path, readFileSync(path, "utf8")]),
  );
}
