// npm start runs one bundled file, dist/shim.mjs, made from src/main.ts with esbuild.
// Loading the unbundled dist/main.js meant resolving and evaluating some four
// hundred module files (undici alone took 90 ms): measured here, a bundle is
// ready to serve in about 200 ms against about 340 ms.
import { build } from "esbuild";

await build({
  entryPoints: ["src/main.ts"],
  outfile: "dist/shim.mjs",
  bundle: true,
  // better-sqlite3 loads a native addon from its own folder, and ioredis is loaded only for SHIM_STATE=redis://:
  // both are required from node_modules at run time.
  external: ["better-sqlite3", "ioredis"],
  platform: "node",
  format: "esm",
  target: "node20",
  sourcemap: "linked",
  logLevel: "warning",
  // Some dependencies are CommonJS and call require(); an ES module has none of its own.
  banner: {
    js: "import { createRequire as __shimCreateRequire } from 'node:module'; const require = __shimCreateRequire(import.meta.url);",
  },
});
