import { describe, expect, it } from "vitest";
import { MemoryStore } from "../state/memory.js";
import { ClientUsage, outcomeOf, V2_ANSWERED_FLAG, V2_UNANSWERED_FLAG } from "./client-usage.js";
import type { RequestRecord } from "./request-log.js";
import { HOUR_MS, readSeries } from "./usage-series.js";

const record = (over: Partial<RequestRecord>): RequestRecord => ({
  req_id: "r",
  method: "POST",
  path: "/order/code",
  route: "/order/code",
  status: 201,
  format: "json",
  user_agent: "Agent/1",
  duration_ms: 1,
  account_id: "001007",
  credentials_accepted: true,
  ...over,
});

/** Each request a millisecond after the one before, so that "most recently seen first" has one answer. */
const ticking = () => {
  let now = Date.now();
  return () => ++now;
};
const usageOn = (store = new MemoryStore(), maxClients?: number) =>
  new ClientUsage(store, { retentionMs: 90 * 86_400_000, maxClients, now: ticking() });

describe("outcomeOf", () => {
  it("tells the shim's refusals from v2's", () => {
    expect(outcomeOf({ status: 201 })).toBe("ordered");
    expect(outcomeOf({ status: 200 })).toBe("read");
    expect(outcomeOf({ status: 304 })).toBe("read");
    expect(outcomeOf({ status: 400 })).toBe("refused_by_validation");
    expect(outcomeOf({ status: 401 })).toBe("refused_by_validation");
    expect(outcomeOf({ status: 400, v2_status: 400 })).toBe("refused_by_v2");
    expect(outcomeOf({ status: 503, v2_status: "ECONNREFUSED" })).toBe("failed_upstream");
  });
});

describe("ClientUsage", () => {
  it("keeps memory bounded however many agents call, counting the rest together", async () => {
    const usage = usageOn(new MemoryStore(), 10);
    for (let i = 0; i < 1_000; i++) usage.record(record({ user_agent: `Agent/${i}` }));
    const { clients } = await usage.report();
    expect(clients).toHaveLength(11);
    expect(clients.find((c) => c.user_agent === "(others)")?.counts.ordered).toBe(990);
  });

  it("counts callers whose credentials were not accepted together, so made-up ids cannot hide a real client", async () => {
    const usage = usageOn(new MemoryStore(), 10);
    for (let i = 0; i < 1_000; i++) usage.record(record({ account_id: `made-up-${i}`, status: 401, credentials_accepted: false }));
    usage.record(record({ account_id: "no-credentials", credentials_accepted: undefined, status: 401 }));
    usage.record(record({ account_id: "001007", user_agent: "Real/1" }));
    const { clients } = await usage.report();
    expect(clients.map((c) => [c.account_id, c.user_agent])).toEqual([
      ["001007", "Real/1"],
      ["(unverified)", "(unverified)"],
    ]);
    expect(clients[1]!.counts.refused_by_validation).toBe(1_001);
  });

  it("clips long ids and agents, and ignores the shim's own endpoints", async () => {
    const usage = usageOn();
    usage.record(record({ user_agent: "x".repeat(10_000), account_id: "y".repeat(1_000) }));
    usage.record(record({ path: "/_shim/translate/order/code" }));
    const [client] = (await usage.report()).clients;
    expect(client!.user_agent).toHaveLength(256);
    expect(client!.account_id).toHaveLength(64);
    expect((await usage.report()).clients).toHaveLength(1);
  });

  it("shows what every replica counted, from the one store", async () => {
    const store = new MemoryStore();
    const [one, two] = [usageOn(store), usageOn(store)];
    one.record(record({}));
    two.record(record({ status: 200 }));
    await two.flush();
    expect((await one.report()).clients[0]!.counts).toMatchObject({ ordered: 1, read: 1 });
  });

  it("keeps its counts when the store cannot take them, and writes them once it can", async () => {
    const store = new MemoryStore();
    let down = true;
    const flaky = {
      mergeClients: (...args: Parameters<MemoryStore["mergeClients"]>) =>
        down ? Promise.reject(new Error("down")) : store.mergeClients(...args),
      clients: () => store.clients(),
      addHourCounts: (...args: Parameters<MemoryStore["addHourCounts"]>) =>
        down ? Promise.reject(new Error("down")) : store.addHourCounts(...args),
      setFlag: (...args: Parameters<MemoryStore["setFlag"]>) => store.setFlag(...args),
    };
    const usage = new ClientUsage(flaky, { retentionMs: 86_400_000 });
    usage.record(record({}));
    await expect(usage.flush()).rejects.toThrow("down");
    usage.record(record({}));
    down = false;
    expect((await usage.report()).clients[0]!.counts.ordered).toBe(2);
    expect(await store.hourCounts(0)).toEqual([expect.objectContaining({ count: 2 })]);
  });

  it("adds each hour's calls, error codes and v2's codes to the store in the same flush", async () => {
    const store = new MemoryStore();
    const at = 1_000 * HOUR_MS + 5;
    const usage = new ClientUsage(store, { retentionMs: 86_400_000, now: () => at });
    usage.record(record({}));
    usage.record(record({ status: 400, errors: ["invalid_param:validity", "required_param:org_name"] }));
    usage.record(record({ status: 400, v2_status: 400, errors: ["invalid_contact:verified_contact"] }));
    usage.record(record({ status: 503, v2_status: "ECONNREFUSED", errors: ["upstream_unavailable"] }));
    await usage.flush();
    const counts = (await store.hourCounts(0)).map((c) => [c.hour, readSeries(c.series), c.count]);
    const hour = 1_000 * HOUR_MS;
    const call = (outcome: string) => ({ kind: "call", account_id: "001007", user_agent: "Agent/1", outcome });
    expect(counts).toEqual(
      expect.arrayContaining([
        [hour, call("ordered"), 1],
        [hour, call("refused_by_validation"), 1],
        [hour, call("refused_by_v2"), 1],
        [hour, call("failed_upstream"), 1],
        [hour, { kind: "v1_error", code: "invalid_param:validity", status: 400 }, 1],
        [hour, { kind: "v1_error", code: "upstream_unavailable", status: 503 }, 1],
        [hour, { kind: "v2_error", v2_status: "400", code: "invalid_contact:verified_contact" }, 1],
        [hour, { kind: "v2_error", v2_status: "ECONNREFUSED", code: "upstream_unavailable" }, 1],
      ]),
    );
    expect(counts).toHaveLength(10);
  });

  it("marks in the store that v2 answered, or did not, lately", async () => {
    const store = new MemoryStore();
    const usage = usageOn(store);
    usage.record(record({ status: 503, v2_status: "paced" }));
    await usage.flush();
    expect([await store.hasFlag(V2_ANSWERED_FLAG), await store.hasFlag(V2_UNANSWERED_FLAG)]).toEqual([false, false]);
    usage.record(record({ status: 503, v2_status: "ETIMEDOUT" }));
    await usage.flush();
    expect([await store.hasFlag(V2_ANSWERED_FLAG), await store.hasFlag(V2_UNANSWERED_FLAG)]).toEqual([false, true]);
    usage.record(record({ status: 201, v2_status: 201 }));
    await usage.flush();
    expect(await store.hasFlag(V2_ANSWERED_FLAG)).toBe(true);
  });
});
