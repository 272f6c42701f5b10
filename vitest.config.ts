import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts", "src/**/*.test.ts"],
    globalSetup: ["test/support/build.ts"],
    // Some tests run real servers, processes and a bounded load on loopback; on a
    // busy two-core CI machine they need more than the default 5 s. Nothing asserts speed.
    testTimeout: 30_000,
  },
});
