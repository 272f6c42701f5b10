import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { configProblems } from "../../test/support/config-problems.js";
import { tempDir } from "../../test/support/temp-files.js";
import { DEFAULT_PLATFORM_TABLES } from "../contract/platforms.js";
import { loadConfig } from "./config.js";

const problems = (env: Record<string, string>) => configProblems(() => loadConfig(env));

describe("loadConfig", () => {
  it("has defaults that run the sandbox on 8080", () => {
    expect(loadConfig({})).toMatchObject({
      port: 8080,
      digicertApiUrl: undefined,
      orderIdFormat: "number",
      retry: expect.objectContaining({ timeoutMs: 30_000 }),
      platforms: DEFAULT_PLATFORM_TABLES,
      sandboxMaxYears: 3,
    });
  });

  it("serves the legacy surface under /clients/rest/api by default, under the paths given, or at the root only when empty", () => {
    expect(loadConfig({}).basePaths).toEqual(["/clients/rest/api"]);
    expect(loadConfig({ SHIM_BASE_PATHS: "/legacy/v1, /clients/rest/api" }).basePaths).toEqual(["/legacy/v1", "/clients/rest/api"]);
    expect(loadConfig({ SHIM_BASE_PATHS: "" }).basePaths).toEqual([]);
    expect(problems({ SHIM_BASE_PATHS: "/api/" })).toEqual([expect.stringMatching(/^SHIM_BASE_PATHS must be paths such as/)]);
    expect(problems({ SHIM_BASE_PATHS: "api" })).toEqual([expect.stringMatching(/^SHIM_BASE_PATHS /)]);
  });

  it("reads an empty variable as unset", () => {
    expect(loadConfig({ PORT: "", DIGICERT_API_URL: " " })).toMatchObject({ port: 8080, digicertApiUrl: undefined });
  });

  it("names the variable of every bad value", () => {
    const found = problems({
      PORT: "eighty",
      SHIM_ORDER_ID_FORMAT: "hex",
      DIGICERT_API_URL: "ftp://example.com",
      SHIM_UPSTREAM_TIMEOUT_MS: "-1",
      SHIM_SANDBOX_MAX_YEARS: "4",
    });
    expect(found.map((p) => p.split(" ")[0]).sort()).toEqual([
      "DIGICERT_API_URL",
      "PORT",
      "SHIM_ORDER_ID_FORMAT",
      "SHIM_SANDBOX_MAX_YEARS",
      "SHIM_UPSTREAM_TIMEOUT_MS",
    ]);
  });

  it("refuses production without DIGICERT_API_URL", () => {
    expect(problems({ NODE_ENV: "production" })).toEqual([
      "DIGICERT_API_URL is required when NODE_ENV=production; the built-in sandbox places no real orders",
    ]);
    expect(loadConfig({ NODE_ENV: "production", DIGICERT_API_URL: "https://www.digicert.com/services/v2" }).digicertApiUrl).toBe(
      "https://www.digicert.com/services/v2",
    );
  });

  it("reads where the state is kept: SQLite by default, memory, or Redis", () => {
    expect(loadConfig({}).state).toMatchObject({
      spec: { backend: "sqlite", path: "./data/shim-state.db" },
      required: false,
      clientsRetentionMs: 90 * 86_400_000,
      ledgerRetentionMs: 30 * 86_400_000,
    });
    expect(loadConfig({ SHIM_STATE: "memory" }).state.spec).toEqual({ backend: "memory" });
    expect(loadConfig({ SHIM_STATE: "sqlite:/var/lib/shim/state.db" }).state.spec).toEqual({
      backend: "sqlite",
      path: "/var/lib/shim/state.db",
    });
    for (const url of ["redis://127.0.0.1:6379", "redis://redis:6379/2", "rediss://:pw@redis.internal:6380/0"]) {
      expect(loadConfig({ SHIM_STATE: url }).state.spec).toEqual({ backend: "redis", url });
    }
    expect(loadConfig({ SHIM_STATE_REQUIRED: "true", SHIM_LEDGER_RETENTION_DAYS: "7" }).state).toMatchObject({
      required: true,
      ledgerRetentionMs: 7 * 86_400_000,
    });
    expect(loadConfig({ SHIM_V2_RATE_LIMITS: "5/1s" }).v2NewKeyRateLimits).toEqual([{ limit: 5, windowMs: 1_000 }]);
  });

  it("names SHIM_STATE when it is none of its forms, without quoting it (it may hold a password)", () => {
    for (const bad of ["postgres://db", "sqlite:", "redis://:s3cret@", "redis://:s3cret@host:6379/x", "redis://host:6379?db=1", "disk"]) {
      const found = problems({ SHIM_STATE: bad });
      expect(found).toEqual(["SHIM_STATE must be memory, sqlite:PATH, or redis://HOST:PORT[/DB] (rediss:// for TLS)"]);
    }
    expect(problems({ SHIM_STATE_REQUIRED: "yes" })).toEqual(["SHIM_STATE_REQUIRED must be true or false"]);
    expect(problems({ SHIM_CLIENTS_RETENTION_DAYS: "0", SHIM_REPLICA_ID: "a b" }).map((p) => p.split(" ")[0])).toEqual([
      "SHIM_CLIENTS_RETENTION_DAYS",
      "SHIM_REPLICA_ID",
    ]);
  });

  it("reads v2's rate limits as windows, or off", () => {
    expect(loadConfig({}).v2RateLimits).toEqual([
      { limit: 100, windowMs: 5_000 },
      { limit: 1000, windowMs: 180_000 },
    ]);
    expect(loadConfig({ SHIM_V2_RATE_LIMITS: "50/5s, 900/3m, 10/250ms" }).v2RateLimits).toEqual([
      { limit: 50, windowMs: 5_000 },
      { limit: 900, windowMs: 180_000 },
      { limit: 10, windowMs: 250 },
    ]);
    expect(loadConfig({ SHIM_V2_RATE_LIMITS: "off" }).v2RateLimits).toEqual([]);
    expect(problems({ SHIM_V2_RATE_LIMITS: "100 per 5s" })).toEqual([
      'SHIM_V2_RATE_LIMITS must be windows such as 100/5s,1000/3m, or off (not "100 per 5s")',
    ]);
    expect(problems({ SHIM_V2_RATE_LIMITS: "0/5s" })[0]).toMatch(/^SHIM_V2_RATE_LIMITS /);
  });

  it("wants the whole request to have longer than its headers", () => {
    expect(problems({ SHIM_HEADERS_TIMEOUT_MS: "5000", SHIM_REQUEST_TIMEOUT_MS: "5000" })).toEqual([
      "SHIM_REQUEST_TIMEOUT_MS must be longer than SHIM_HEADERS_TIMEOUT_MS",
    ]);
  });

  it("names a bad limit or timing", () => {
    const found = problems({ SHIM_DEADLINE_MS: "0", SHIM_UPSTREAM_ATTEMPTS: "11", SHIM_MAX_BODY_BYTES: "10", SHIM_PACE_MAX_WAIT_MS: "-5" });
    expect(found.map((p) => p.split(" ")[0]).sort()).toEqual([
      "SHIM_DEADLINE_MS",
      "SHIM_MAX_BODY_BYTES",
      "SHIM_PACE_MAX_WAIT_MS",
      "SHIM_UPSTREAM_ATTEMPTS",
    ]);
  });

  it("reads the migration settings, and names a bad one", () => {
    expect(
      loadConfig({
        SHIM_DEPRECATION_DATE: "2026-07-01",
        SHIM_SUNSET_DATE: "2027-06-30T12:00:00+02:00",
        SHIM_MIGRATION_URL: "https://wiki.example.com/v2",
      }),
    ).toMatchObject({
      deprecationDate: new Date("2026-07-01T00:00:00Z"),
      sunsetDate: new Date("2027-06-30T10:00:00Z"),
      migrationUrl: "https://wiki.example.com/v2",
    });
    const found = problems({
      SHIM_ADMIN_TOKEN: "short",
      SHIM_DEPRECATION_DATE: "July 2026",
      SHIM_SUNSET_DATE: "2027-13-01",
      SHIM_MIGRATION_URL: "wiki",
    });
    expect(found.map((p) => p.split(" ")[0]).sort()).toEqual([
      "SHIM_ADMIN_TOKEN",
      "SHIM_DEPRECATION_DATE",
      "SHIM_MIGRATION_URL",
      "SHIM_SUNSET_DATE",
    ]);
  });

  it("takes the migration plan's file alone: the three variables beside it are refused, each named", () => {
    expect(loadConfig({ SHIM_MIGRATION_PLAN_FILE: "plan.json" }).migrationPlanFile).toBe("plan.json");
    const found = problems({
      SHIM_MIGRATION_PLAN_FILE: "plan.json",
      SHIM_DEPRECATION_DATE: "2026-07-01",
      SHIM_SUNSET_DATE: "2027-06-30",
      SHIM_MIGRATION_URL: "https://wiki.example.com/v2",
    });
    expect(found).toEqual(
      ["SHIM_DEPRECATION_DATE", "SHIM_SUNSET_DATE", "SHIM_MIGRATION_URL"].map(
        (name) => `${name} cannot be set with SHIM_MIGRATION_PLAN_FILE: write it in the plan's default instead`,
      ),
    );
  });

  it("reads an operator's platform table, and refuses a bad one naming the variable", () => {
    const dir = tempDir("platforms-");
    const good = join(dir, "good.json");
    const tables = {
      code_signing: [{ v1_id: 51, name: "Authenticode", v2_id: -1 }],
      code_signing_ev: [{ v1_id: 2, name: "eToken", v2_id: 77 }],
    };
    writeFileSync(good, JSON.stringify(tables));
    expect(loadConfig({ SHIM_PLATFORMS_FILE: good }).platforms).toEqual(tables);

    const bad = join(dir, "bad.json");
    writeFileSync(bad, JSON.stringify({ code_signing: [{ v1_id: "51" }] }));
    expect(problems({ SHIM_PLATFORMS_FILE: bad })[0]).toMatch(/^SHIM_PLATFORMS_FILE code_signing\.0\.v1_id/);
    expect(problems({ SHIM_PLATFORMS_FILE: join(dir, "missing.json") })[0]).toMatch(/^SHIM_PLATFORMS_FILE cannot be read \(.*\): ENOENT$/);
  });

  it("says where a file breaks and what JSON expected, never what the file holds", () => {
    const dir = tempDir("platforms-");
    const keyFile = join(dir, "v2.key");
    writeFileSync(keyFile, "V2SECRETKEY0123456789\n");
    expect(problems({ SHIM_PLATFORMS_FILE: keyFile })).toEqual([
      `SHIM_PLATFORMS_FILE cannot be read as JSON (${keyFile}): line 1, column 1: expected a JSON value (an object, a list, a string, a number, true, false or null)`,
    ]);
    const broken = join(dir, "broken.json");
    writeFileSync(broken, '{\n  "code_signing": [\n    {"v1_id": 51 "name": "SECRETNAME"}');
    const [problem] = problems({ SHIM_PLATFORMS_FILE: broken });
    expect(problem).toBe(`SHIM_PLATFORMS_FILE cannot be read as JSON (${broken}): line 3, column 18: expected a comma or a closing }`);
  });

  it("takes what the host says in one step after the variables are checked, from what it is given", () => {
    const io = { hostname: () => "shim-host", pid: 4242 };
    expect(loadConfig({}, io)).toMatchObject({ state: { replicaId: "shim-host:4242" }, retryWindow: { fingerprintKey: undefined } });
    const given = { SHIM_REPLICA_ID: "shim-a", SHIM_RETRY_FINGERPRINT_KEY: "f".repeat(32) };
    expect(loadConfig(given, io)).toMatchObject({ state: { replicaId: "shim-a" }, retryWindow: { fingerprintKey: "f".repeat(32) } });
    // A bad variable stops the load before anything is made or read.
    const untouched = { hostname: () => expect.fail("hostname read"), pid: 1 };
    expect(() => loadConfig({ PORT: "x", SHIM_PLATFORMS_FILE: "/nonexistent.json" }, untouched)).toThrow(
      /^Invalid configuration:\n {2}- PORT /,
    );
  });

  it("reads the admin listener and the drain's grace", () => {
    expect(loadConfig({})).toMatchObject({ admin: { port: undefined, host: undefined }, shutdownGraceMs: 5_000 });
    expect(loadConfig({ HOST: "0.0.0.0", SHIM_ADMIN_PORT: "9090", SHIM_SHUTDOWN_GRACE_MS: "0" })).toMatchObject({
      admin: { port: 9090, host: "0.0.0.0" },
      shutdownGraceMs: 0,
    });
    expect(loadConfig({ SHIM_ADMIN_PORT: "9090", SHIM_ADMIN_HOST: "127.0.0.1" }).admin).toEqual({ port: 9090, host: "127.0.0.1" });
    expect(problems({ SHIM_ADMIN_HOST: "127.0.0.1" })).toEqual([
      "SHIM_ADMIN_HOST needs SHIM_ADMIN_PORT: it is where the admin listener binds",
    ]);
    expect(problems({ PORT: "8080", SHIM_ADMIN_PORT: "8080" })).toEqual([
      "SHIM_ADMIN_PORT must differ from PORT: the admin surface gets a listener of its own",
    ]);
    expect(problems({ SHIM_SHUTDOWN_GRACE_MS: "-1" })[0]).toMatch(/^SHIM_SHUTDOWN_GRACE_MS /);
  });
});
