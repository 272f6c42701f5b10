import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { dirname } from "node:path";
import { validate } from "dockerfile-utils";
import { describe, expect, it } from "vitest";
import { SUPPORTED_NODE_MAJOR } from "../src/config/supported-node.js";
import { buildDockerfile, dockerfileSteps } from "./support/dockerfile-steps.js";
import { startFakeV2 } from "./support/fake-v2.js";
import { orderRequest, sendHttpMessage } from "./support/http-files.js";
import { START_COMMAND, spawnShim } from "./support/process.js";

const DOCKERFILE = "deploy/Dockerfile";
const TEXT = readFileSync(new URL(`../${DOCKERFILE}`, import.meta.url), "utf8");
const steps = dockerfileSteps(TEXT);
const of = (keyword: string) => steps.filter((step) => step.keyword === keyword);
/** Where the image keeps Node (distroless: /nodejs/bin/node). */
const IMAGE_NODE = "/nodejs/bin/node";

describe("deploy/Dockerfile", () => {
  it("passes the Dockerfile linter (dockerfile-utils), which finds what is wrong in a broken one", () => {
    expect(validate(TEXT)).toEqual([]);
    // The linter is not blind: a misspelt instruction and a bad port are found.
    const broken = validate(`${TEXT}\nEXPSE 8080\nEXPOSE eighty\n`);
    expect(broken.length).toBeGreaterThanOrEqual(2);
  });

  it("is built in stages on Node 24, runs as a non-root user on a slim or distroless base, with the state on a volume", () => {
    const bases = of("FROM").map((step) => step.args[0]!);
    expect(bases.length).toBeGreaterThanOrEqual(2);
    for (const base of bases)
      expect(base).toMatch(new RegExp(`(node:${SUPPORTED_NODE_MAJOR}-.*slim|distroless/nodejs${SUPPORTED_NODE_MAJOR}-)`));
    expect(of("USER").at(-1)?.args[0]).toMatch(/^[1-9]\d*(:[1-9]\d*)?$|^nonroot$/);
    const env = Object.fromEntries(of("ENV").flatMap((step) => step.args.map((arg) => arg.split(/=(.*)/s).slice(0, 2))));
    const volume = JSON.parse(of("VOLUME")[0]!.content)[0];
    expect(env.SHIM_STATE).toBe(`sqlite:${volume}/shim-state.db`);
  });

  it("starts as npm start starts the shim, in exec form, so that SIGTERM reaches it, and checks its health with node itself", () => {
    const entrypoint = JSON.parse(of("ENTRYPOINT")[0]!.content) as string[];
    expect([IMAGE_NODE, ...START_COMMAND.split(" ").slice(1)]).toEqual(entrypoint);
    const healthcheck = of("HEALTHCHECK")[0]!.content;
    expect(healthcheck).toMatch(new RegExp(`CMD \\["${IMAGE_NODE}", `));
  });

  it("builds and starts in a clean folder: the image's files serve an order, answer /healthz and its HEALTHCHECK, and keep the state on the volume", async () => {
    // npm ci from npm's cache only: the suite makes no call beyond loopback (.ci/run's own npm ci fills the cache).
    const image = buildDockerfile(DOCKERFILE, {
      PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ""}`,
      HOME: process.env.HOME ?? "",
      npm_config_offline: "true",
      npm_config_update_notifier: "false",
    });
    // Only the runtime's files: dev dependencies pruned, no sources.
    expect(existsSync(image.pathOf("node_modules/typescript"))).toBe(false);
    expect(existsSync(image.pathOf("src"))).toBe(false);

    const fake = await startFakeV2();
    const volume = image.volumes[0]!;
    const env = {
      ...image.image.env,
      // The image's paths, in the folder that stands for its file system.
      SHIM_STATE: image.image.env.SHIM_STATE!.replace(volume, image.pathOf(volume)),
      // NODE_ENV=production wants a real v2: the fake stands in. Ports chosen by the system, on loopback.
      DIGICERT_API_URL: fake.url,
      PORT: "0",
      SHIM_ADMIN_PORT: "0",
      HOST: "127.0.0.1",
    };
    const [node, ...args] = image.entrypoint;
    expect(node).toBe(IMAGE_NODE);
    const shim = spawnShim(env, image.pathOf("."), args);
    const port = await shim.listening;
    const url = `http://127.0.0.1:${port}`;
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    expect((await sendHttpMessage(url, orderRequest())).status).toBe(201);
    expect((await fetch(`http://127.0.0.1:${shim.adminPort()}/metrics`)).status).toBe(200);
    expect(existsSync(image.pathOf(`${volume}/shim-state.db`))).toBe(true);

    const [checker, ...checkArgs] = image.healthcheck;
    expect(checker).toBe(IMAGE_NODE);
    const check = (checkPort: number) =>
      spawnSync(process.execPath, checkArgs, { cwd: image.pathOf("."), env: { ...env, PORT: String(checkPort) }, encoding: "utf8" });
    expect(check(port).status).toBe(0);
    expect(await shim.stop()).toBe(0);
    // Nothing answers any more: the HEALTHCHECK says so.
    expect(check(port).status).toBe(1);
    await fake.close();
  }, 600_000);
});
