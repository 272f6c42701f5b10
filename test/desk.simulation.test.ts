import { describe, expect, it } from "vitest";
import { type HistoryShape, runHistory, shapeOf } from "./support/simulation/history.js";
import { SIM_START } from "./support/simulation/world.js";

// The order desk (src/ordering/) in a simulated world (test/support/simulation/): two or
// three replicas on one store, a store and a v2 that fail in every way seen so far,
// clients that retry, replicas that crash. Every history is checked against what the desk
// promises (history.ts, `check`); a failing one is named by its seed. Run one again, with
// its story printed, by SIM_SEED=<seed> SIM_HISTORIES=1 SIM_STORY=1; `npm run simulate`
// runs a million.

const HISTORIES = Number(process.env.SIM_HISTORIES ?? 1_000);
const FIRST_SEED = Number(process.env.SIM_SEED ?? 1);
/** Each finding of the order-desk issue, in histories shaped to meet it. */
const PER_FINDING = Math.max(1, Math.min(HISTORIES, 150));

async function holds(histories: number, firstSeed: number, shape?: (seed: number) => HistoryShape): Promise<string[]> {
  const failed: string[] = [];
  for (let seed = firstSeed; seed < firstSeed + histories && failed.length < 3; seed++) {
    const result = await runHistory(seed, shape?.(seed));
    if (result.violations.length === 0) continue;
    failed.push(`seed ${seed}: ${result.violations.slice(0, 5).join("; ")}`);
    if (process.env.SIM_STORY) console.log([JSON.stringify(result.shape), ...result.story()].join("\n"));
  }
  return failed;
}

const calmStore = { outages: [], lostAnswer: 0 };

describe("the order desk, simulated", () => {
  it(
    `keeps its promises in ${HISTORIES} histories of every shape, from seed ${FIRST_SEED}`,
    async () => {
      expect(await holds(HISTORIES, FIRST_SEED), "run one again with SIM_SEED=<seed> SIM_HISTORIES=1 SIM_STORY=1").toEqual([]);
      // A long run (npm run simulate) takes as long as it takes: about 10 ms a history on a quiet machine.
    },
    Math.max(900_000, HISTORIES * 200),
  );

  // Finding 1: a request is answered only with an order its own credential made; a wrong key reaches v2.
  it("never answers a request with an order another key made, in passthrough", async () => {
    const shape = (seed: number) => shapeOf(seed, { identity: "key", intents: 6, store: calmStore });
    expect(await holds(PER_FINDING, 10_001, shape)).toEqual([]);
  }, 300_000);

  // Finding 2: once an order made nothing (v2 refused it, or the reconciler found none), its retries are new orders at once.
  it("lets a client's retry through once the order it repeats made nothing, however that was found", async () => {
    const shape = (seed: number) =>
      shapeOf(seed, { identity: "account", v2: { rate: 0.6, uniqueAlternativeIds: seed % 2 === 0, slowMs: 40_000 }, lostAnswers: 0.5 });
    expect(await holds(PER_FINDING, 20_001, shape)).toEqual([]);
  }, 300_000);

  // Finding 3: the store down, failing open or closed, never answers 500, and fails closed without sending.
  it("answers through a store that is down, paused or losing answers, failing open or closed", async () => {
    const shape = (seed: number) => {
      const base = shapeOf(seed, { required: seed % 2 === 0 });
      const from = SIM_START + (seed % 7) * 10_000;
      return {
        ...base,
        store: {
          outages: [
            { kind: "down" as const, from, to: from + 30_000 },
            { kind: "paused" as const, from: from + 60_000, to: from + 75_000 },
          ],
          lostAnswer: 0.1,
        },
      };
    };
    expect(await holds(PER_FINDING, 30_001, shape)).toEqual([]);
  }, 300_000);

  // Finding 4: two orders that differ only in a field the translation drops or folds are two orders.
  it("keeps apart orders that differ only in fields the translation folds", async () => {
    const shape = (seed: number) => shapeOf(seed, { intents: 8, windowMs: 600_000, lostAnswers: 0.3 });
    expect(await holds(PER_FINDING, 40_001, shape)).toEqual([]);
  }, 300_000);

  // Finding 5: a retry after a restart, or on another replica, is recognised (the fingerprint's secret is the store's).
  it("recognises a retry after its replica crashed, on another replica or the restarted one", async () => {
    const shape = (seed: number) => shapeOf(seed, { crashes: 3, lostAnswers: 0.5, windowMs: 600_000, store: calmStore });
    expect(await holds(PER_FINDING, 50_001, shape)).toEqual([]);
  }, 300_000);
});
