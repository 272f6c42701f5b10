import { parseArgs } from "node:util";

// The command line of `npm run bench`. Each figure the benchmark takes from a flag.

export const USAGE = `npm run bench -- [flags]

  --duration S       seconds per measured load run                      (default 10)
  --requests N       send exactly N requests in each load run (warm-ups and the
                     one-connection runs included) instead of running for a
                     duration: a run that checks, not one that measures
  --connections N    concurrent connections of each load run            (default 32)
  --delay MS         the fake v2's answer delay in the load runs        (default 0)
  --warmup S         seconds of load on each server before measuring    (default 2)
  --rounds N         rounds of the comparison: every server, every format,
                     once a round; the figures are the medians            (default 3)
  --cpu N|none       the CPU each server under test is pinned to        (default: the last)
  --in-flight N      orders sent at once in the slow-v2 run             (default 2000)
  --slow-delay MS    the fake v2's answer delay in the slow-v2 run      (default 2000)
  --out FILE         where the figures go, as JSON                      (default bench-results.json)
  --smoke            a short run to check that the benchmark works:
                     --requests 200 --connections 8 --warmup 0 --rounds 1 --in-flight 200 --slow-delay 500
                     (flags given as well still win)
  --profile          also run the shim under node --cpu-prof for one JSON load run
                     and summarise where its time went
  --profile-dir DIR  where the .cpuprofile goes                         (default bench-profile)
  --no-build         do not build dist/ first (it must be this tree's)
  --help`;

const DEFAULTS = { duration: 10, connections: 32, delay: 0, warmup: 2, rounds: 3, "in-flight": 2000, "slow-delay": 2000 };
const SMOKE = { requests: 200, connections: 8, warmup: 0, rounds: 1, "in-flight": 200, "slow-delay": 500 };

/**
 * @typedef {object} Settings
 * @property {number} durationS
 * @property {number | undefined} requests each load run sends exactly this many, in place of `durationS`
 * @property {number} connections
 * @property {number} delayMs
 * @property {number} warmupS
 * @property {number} rounds
 * @property {number | "none" | undefined} cpu undefined: the default CPU
 * @property {number} inFlight
 * @property {number} slowDelayMs
 * @property {string} out
 * @property {boolean} smoke
 * @property {string | undefined} profileDir undefined: no profile
 * @property {boolean} build
 * @property {boolean} help
 */

/** @param {string | undefined} text @returns {Settings["cpu"]} */
function cpuSetting(text) {
  if (text === undefined || text === "none") return text;
  const cpu = Number(text);
  if (!Number.isInteger(cpu) || cpu < 0) throw new Error(`--cpu takes a CPU number or none, not ${JSON.stringify(text)}`);
  return cpu;
}

/** @param {string[]} args @returns {Settings} */
export function parseSettings(args) {
  const { values } = parseArgs({
    args,
    strict: true,
    options: {
      duration: { type: "string" },
      requests: { type: "string" },
      connections: { type: "string" },
      delay: { type: "string" },
      warmup: { type: "string" },
      rounds: { type: "string" },
      cpu: { type: "string" },
      "in-flight": { type: "string" },
      "slow-delay": { type: "string" },
      out: { type: "string", default: "bench-results.json" },
      smoke: { type: "boolean", default: false },
      profile: { type: "boolean", default: false },
      "profile-dir": { type: "string", default: "bench-profile" },
      "no-build": { type: "boolean", default: false },
      help: { type: "boolean", default: false },
    },
  });
  /** @type {Record<string, number | undefined>} */
  const base = values.smoke ? { ...DEFAULTS, ...SMOKE } : DEFAULTS;
  /** @param {keyof typeof DEFAULTS | "requests"} name @param {{ integer?: boolean, min: number }} rule */
  const number = (name, { integer = false, min }) => {
    const text = values[name];
    const value = text === undefined ? base[name] : Number(text);
    if (value === undefined || !Number.isFinite(value) || value < min || (integer && !Number.isInteger(value))) {
      throw new Error(`--${name} takes ${integer ? "a whole number" : "a number"} of at least ${min}, not ${JSON.stringify(text)}`);
    }
    return value;
  };
  // A duration given on the command line wins over --smoke's count.
  const countBounded = values.requests !== undefined || (values.duration === undefined && base.requests !== undefined);
  const connections = number("connections", { integer: true, min: 1 });
  return {
    durationS: number("duration", { min: 1 }),
    // Each connection sends at least one: autocannon refuses more connections than requests.
    requests: countBounded ? number("requests", { integer: true, min: connections }) : undefined,
    connections,
    delayMs: number("delay", { min: 0 }),
    warmupS: number("warmup", { min: 0 }),
    rounds: number("rounds", { integer: true, min: 1 }),
    cpu: cpuSetting(values.cpu),
    inFlight: number("in-flight", { integer: true, min: 1 }),
    slowDelayMs: number("slow-delay", { min: 0 }),
    out: values.out,
    smoke: values.smoke,
    profileDir: values.profile ? values["profile-dir"] : undefined,
    build: !values["no-build"],
    help: values.help,
  };
}
