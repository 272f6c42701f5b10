/** Each module of src/ (a path relative to src/) and what it imports: other modules, or package names. */
export type ImportGraph = ReadonlyMap<string, readonly string[]>;

const BELOW_HTTP = ["contract", "lib", "config", "mapping", "v2", "state", "observability", "ordering", "migration"];

/**
 * The folders of src/ and what each may import besides itself (CONTRIBUTING.md's
 * "Layout"). Files directly in src/ are the entry: wiring, which may import any
 * folder but the command line's.
 */
const MAY_IMPORT: Readonly<Record<string, readonly string[]>> = {
  contract: [],
  lib: [],
  config: ["contract", "lib"],
  mapping: ["contract", "lib"],
  v2: ["contract", "lib"],
  state: ["contract", "lib"],
  observability: ["contract", "lib", "config", "v2", "state"],
  ordering: ["contract", "lib", "config", "mapping", "v2", "state", "observability"],
  migration: ["contract", "lib", "config"],
  http: BELOW_HTTP,
  accounts: [...BELOW_HTTP, "http"],
  routes: [...BELOW_HTTP, "http"],
  dashboard: [...BELOW_HTTP, "http"],
  capture: [...BELOW_HTTP, "http"],
  cli: [...BELOW_HTTP, "http", "accounts", "capture"],
  "": [...BELOW_HTTP, "http", "accounts", "routes", "dashboard", "capture"],
};

const LAYER_NAMES: Readonly<Record<string, string>> = { "": "the entry" };
const folderOf = (file: string) => (file.includes("/") ? file.slice(0, file.indexOf("/")) : "");
const isModule = (name: string) => name.endsWith(".ts");

/** What breaks the layering: an import upward or sideways, a package in the contract, an import cycle. */
export function importRuleBreaks(graph: ImportGraph): string[] {
  const breaks: string[] = [];
  for (const [file, imports] of graph) {
    const folder = folderOf(file);
    const allowed = MAY_IMPORT[folder];
    if (!allowed) {
      breaks.push(`${file} is in src/${folder}, a folder the layout does not name`);
      continue;
    }
    for (const name of imports) {
      if (!isModule(name)) {
        if (folder === "contract" && name !== "zod") breaks.push(`${file} imports ${name}: the contract imports only zod`);
        continue;
      }
      const target = folderOf(name);
      if (target !== folder && !allowed.includes(target)) {
        breaks.push(`${file} imports ${name}: ${LAYER_NAMES[folder] ?? folder} may import only ${allowed.join(", ")}`);
      }
    }
  }
  return [...breaks, ...cyclesIn(graph)];
}

/** Each import cycle once, named by its files. */
function cyclesIn(graph: ImportGraph): string[] {
  const found: string[] = [];
  const done = new Set<string>();
  const onPath: string[] = [];
  const visit = (file: string) => {
    if (done.has(file)) return;
    const at = onPath.indexOf(file);
    if (at >= 0) {
      const cycle = [...onPath.slice(at), file];
      found.push(
        cycle.length === 3
          ? `${cycle[0]} and ${cycle[1]} import each other (${cycle.join(" -> ")})`
          : `import cycle: ${cycle.join(" -> ")}`,
      );
      return;
    }
    onPath.push(file);
    for (const name of graph.get(file) ?? []) if (graph.has(name)) visit(name);
    onPath.pop();
    done.add(file);
  };
  for (const file of graph.keys()) visit(file);
  return found;
}
