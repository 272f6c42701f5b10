import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readFileSync, statSync } from "node:fs";
import { dirname, isAbsolute, join, posix } from "node:path";
import { fileURLToPath } from "node:url";
import { DockerfileParser } from "dockerfile-ast";
import { tempDir } from "./temp-files.js";

// A Dockerfile's build and start, done without a Docker engine (none runs here): each stage a
// folder standing for its root file system, COPY as a copy (from the build context, or from an
// earlier stage's folder), RUN as the shell command in the stage's WORKDIR with its ENV, and the
// last stage's ENTRYPOINT and HEALTHCHECK as commands to run. The base images' own files are not
// there: the base's Node is the Node running the tests (24), and its path is mapped to it.

const CONTEXT = fileURLToPath(new URL("../../", import.meta.url));

interface Stage {
  name: string | undefined;
  image: string;
  root: string;
  workdir: string;
  env: Record<string, string>;
}

export interface BuiltImage {
  stages: Stage[];
  /** The last stage: the image. */
  image: Stage;
  user: string | undefined;
  volumes: string[];
  exposed: string[];
  /** The exec-form ENTRYPOINT, as written. */
  entrypoint: string[];
  /** The exec-form HEALTHCHECK command, as written. */
  healthcheck: string[];
  /** A path of the image's file system, in the folder that stands for it. */
  pathOf(path: string): string;
}

/** What the file says, in order: each instruction's keyword, its text after the keyword, and its flags. */
export function dockerfileSteps(text: string) {
  return DockerfileParser.parse(text)
    .getInstructions()
    .map((instruction) => ({
      keyword: instruction.getKeyword(),
      content: instruction.getArgumentsContent() ?? "",
      args: instruction.getArguments().map((arg) => arg.getValue()),
      flags: Object.fromEntries(
        "getFlags" in instruction && typeof instruction.getFlags === "function"
          ? (instruction.getFlags() as { getName(): string; getValue(): string | null }[]).map((flag) => [flag.getName(), flag.getValue()])
          : [],
      ) as Record<string, string | null>,
    }));
}

/** COPY's rule: a folder's contents go into the destination; a file goes into it when it ends with / (or several are copied). */
function copy(from: string, to: string, intoFolder: boolean): void {
  if (statSync(from).isDirectory()) {
    mkdirSync(to, { recursive: true });
    cpSync(from, to, { recursive: true });
    return;
  }
  const target = intoFolder ? join(to, posix.basename(from)) : to;
  mkdirSync(dirname(target), { recursive: true });
  cpSync(from, target);
}

/**
 * Builds `dockerfile` (a path in the repository) as `docker build -f dockerfile .` would, in a fresh
 * folder. `runEnv` is added to every RUN's environment (PATH, npm's offline mode).
 */
export function buildDockerfile(dockerfile: string, runEnv: Record<string, string>): BuiltImage {
  const stages: Stage[] = [];
  const image = {
    user: undefined as string | undefined,
    volumes: [] as string[],
    exposed: [] as string[],
    entrypoint: [] as string[],
    healthcheck: [] as string[],
  };
  const current = () => {
    const stage = stages.at(-1);
    if (!stage) throw new Error(`${dockerfile}: an instruction before FROM`);
    return stage;
  };
  const inStage = (stage: Stage, path: string) => join(stage.root, isAbsolute(path) ? path : posix.join(stage.workdir, path));

  for (const { keyword, content, args, flags } of dockerfileSteps(readFileSync(join(CONTEXT, dockerfile), "utf8"))) {
    switch (keyword) {
      case "FROM":
        stages.push({ name: args[2], image: args[0]!, root: tempDir("image-stage-"), workdir: "/", env: {} });
        break;
      case "WORKDIR": {
        const stage = current();
        stage.workdir = posix.resolve(stage.workdir, args[0]!);
        mkdirSync(inStage(stage, "."), { recursive: true });
        break;
      }
      case "COPY": {
        const stage = current();
        const sources = args.slice(0, -1);
        const destination = args.at(-1)!;
        const fromStage = flags.from === undefined ? undefined : stages.find((s) => s.name === flags.from);
        if (flags.from !== undefined && !fromStage) throw new Error(`${dockerfile}: COPY --from=${flags.from} names no earlier stage`);
        for (const source of sources) {
          const from = fromStage ? inStage(fromStage, source) : join(CONTEXT, source);
          if (!existsSync(from))
            throw new Error(`${dockerfile}: COPY ${source}: not in the ${fromStage ? `stage ${fromStage.name}` : "build context"}`);
          copy(from, inStage(stage, destination), destination.endsWith("/") || sources.length > 1);
        }
        break;
      }
      case "RUN": {
        const stage = current();
        execFileSync("/bin/sh", ["-c", content], { cwd: inStage(stage, "."), env: { ...stage.env, ...runEnv }, stdio: "pipe" });
        break;
      }
      case "ENV":
        for (const arg of args) {
          const at = arg.indexOf("=");
          current().env[arg.slice(0, at)] = arg.slice(at + 1);
        }
        break;
      case "USER":
        image.user = args[0];
        break;
      case "VOLUME":
        image.volumes.push(...(JSON.parse(content) as string[]));
        break;
      case "EXPOSE":
        image.exposed.push(...args);
        break;
      case "HEALTHCHECK":
        image.healthcheck = JSON.parse(content.slice(content.indexOf("["))) as string[];
        break;
      case "ENTRYPOINT":
        image.entrypoint = JSON.parse(content) as string[];
        break;
      default:
        throw new Error(`${dockerfile}: ${keyword} is not one this test knows how to run`);
    }
  }
  const last = current();
  return { stages, image: last, ...image, pathOf: (path) => inStage(last, path) };
}
