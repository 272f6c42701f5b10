// npm start runs one bundled file, dist/shim.mjs, made from src/main.ts with esbuild.
// Loading the unbundled dist/main.js meant resolving and evaluating some four
// hundred module files (undici alone took 90 ms): measured here, a bundle is
// ready to serve in about 200 ms against about 340 ms.
import { rmSync } from "node:fs";
import { build } from "esbuild";

// Chunks are named by their content: the last build's would pile up beside the new ones.
rmSync("dist/chunks", { recursive: true, force: true });

await build({
  entryPoints: { shim: "src/main.ts" },
  outdir: "dist",
  outExtension: { ".js": ".mjs" },
  // What is imported only when asked for (the Redis store and its ioredis) goes into a chunk of its own:
  // in one file, esbuild would hoist ioredis's import to the top, and every start would load it (70 ms).
  splitting: true,
  chunkNames: "chunks/[name]-[hash]",
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node24",
  sourcemap: "linked",
  logLevel: "warning",
  // Read from node_modules at run time: ioredis is loaded only for SHIM_STATE=redis://, and tracing imports the OpenTelemetry SDK only
  // when it starts, so a shim without tracing never parses a line of it. The OpenTelemetry API
  // stays in the bundle, where prom-client has always put it; the SDK finds it through its global.
  external: ["ioredis", "@opentelemetry/sdk-node"],
  // Some dependencies are CommonJS and call require(); an ES module has none of its own.
  banner: {
    js: "import { createRequire as __shimCreateRequire } from 'node:module'; const require = __shimCreateRequire(import.meta.url);",
  },
});
