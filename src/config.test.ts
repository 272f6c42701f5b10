import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "./config.js";
import { DEFAULT_PLATFORM_TABLES } from "./mapping/platforms.js";

const problems = (env: Record<string, string>) => {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error("the configuration was accepted");
};

describe("loadConfig", () => {
  it("has defaults that run the sandbox on 8080", () => {
    expect(loadConfig({})).toMatchObject({ port: 8080, digicertApiUrl: undefined, orderIdFormat: "number", upstreamTimeoutMs: 30_000, platforms: DEFAULT_PLATFORM_TABLES });
  });

  it("reads an empty variable as unset", () => {
    expect(loadConfig({ PORT: "", DIGICERT_API_URL: " " })).toMatchObject({ port: 8080, digicertApiUrl: undefined });
  });

  it("names the variable of every bad value", () => {
    const found = problems({ PORT: "eighty", SHIM_ORDER_ID_FORMAT: "hex", DIGICERT_API_URL: "ftp://example.com", SHIM_UPSTREAM_TIMEOUT_MS: "-1" });
    expect(found.map((p) => p.split(" ")[0]).sort()).toEqual(["DIGICERT_API_URL", "PORT", "SHIM_ORDER_ID_FORMAT", "SHIM_UPSTREAM_TIMEOUT_MS"]);
  });

  it("refuses production without DIGICERT_API_URL", () => {
    expect(problems({ NODE_ENV: "production" })).toEqual([
      "DIGICERT_API_URL is required when NODE_ENV=production; the built-in sandbox places no real orders",
    ]);
    expect(loadConfig({ NODE_ENV: "production", DIGICERT_API_URL: "https://www.digicert.com/services/v2" }).digicertApiUrl).toBe(
      "https://www.digicert.com/services/v2",
    );
  });

  it("reads an operator's platform table, and refuses a bad one naming the variable", () => {
    const dir = mkdtempSync(join(tmpdir(), "platforms-"));
    const good = join(dir, "good.json");
    const tables = { code_signing: [{ v1_id: 51, name: "Authenticode", v2_id: -1 }], code_signing_ev: [{ v1_id: 2, name: "eToken", v2_id: 77 }] };
    writeFileSync(good, JSON.stringify(tables));
    expect(loadConfig({ SHIM_PLATFORMS_FILE: good }).platforms).toEqual(tables);

    const bad = join(dir, "bad.json");
    writeFileSync(bad, JSON.stringify({ code_signing: [{ v1_id: "51" }] }));
    expect(problems({ SHIM_PLATFORMS_FILE: bad })[0]).toMatch(/^SHIM_PLATFORMS_FILE code_signing\.0\.v1_id/);
    expect(problems({ SHIM_PLATFORMS_FILE: join(dir, "missing.json") })[0]).toMatch(/^SHIM_PLATFORMS_FILE cannot be read as JSON/);
  });
});
