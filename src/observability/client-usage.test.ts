import { describe, expect, it } from "vitest";
import { MemoryStore } from "../state/memory.js";
import { ClientUsage, outcomeOf, pathOf, V2_ANSWERED_FLAG, V2_UNANSWERED_FLAG } from "./client-usage.js";
import type { RequestRecord } from "./request-log.js";
import { HOUR_MS, latencyBucketOf, readSeries, type Series } from "./usage-series.js";

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
      hourCounts: (since: number) => store.hourCounts(since),
      setFlag: (...args: Parameters<MemoryStore["setFlag"]>) => store.setFlag(...args),
      hasFlag: (name: string) => store.hasFlag(name),
    };
    const usage = new ClientUsage(flaky, { retentionMs: 86_400_000 });
    usage.record(record({}));
    await expect(usage.flush()).rejects.toThrow("down");
    usage.record(record({}));
    down = false;
    expect((await usage.report()).clients[0]!.counts.ordered).toBe(2);
    expect((await store.hourCounts(0)).map((c) => c.count)).toEqual([2, 2, 2]);
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
        [hour, { kind: "path", account_id: "001007", path: "orders" }, 4],
        [hour, { kind: "order_latency", account_id: "001007", bucket: 0 }, 3],
        [hour, { kind: "v1_family", family: "required_param:*", status: 400 }, 1],
        [hour, { kind: "v1_family", family: "upstream_unavailable", status: 503 }, 1],
      ]),
    );
    expect(counts).toHaveLength(16);
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

  /** What one flush added to the hour counts, as series and counts, the hour left out. */
  const flushed = async (usage: ClientUsage, store: MemoryStore) => {
    await usage.flush();
    return (await store.hourCounts(0)).map((c) => [readSeries(c.series), c.count] as [Series | undefined, number]);
  };

  it("counts replays beside the outcomes in the clients view, and per account and agent each hour", async () => {
    const store = new MemoryStore();
    const usage = usageOn(store);
    usage.record(record({}));
    usage.record(record({ replayed_from: "first-request" }));
    usage.record(record({ replayed_from: "first-request", user_agent: "Cron/2" }));
    const counts = await flushed(usage, store);
    expect(counts).toContainEqual([{ kind: "replayed", account_id: "001007", user_agent: "Agent/1" }, 1]);
    expect(counts).toContainEqual([{ kind: "replayed", account_id: "001007", user_agent: "Cron/2" }, 1]);
    const { clients } = await usage.report();
    expect(clients.find((c) => c.user_agent === "Agent/1")!.counts).toMatchObject({ ordered: 2, replayed: 1 });
    expect(clients.find((c) => c.user_agent === "Cron/2")!.counts).toMatchObject({ ordered: 1, replayed: 1 });
  });

  it("says replayed 0 for a caller without replays", async () => {
    const usage = usageOn();
    usage.record(record({}));
    expect((await usage.report()).clients[0]!.counts.replayed).toBe(0);
  });

  it("counts each account's calls per path, the translate endpoint's on its path alone, and no other endpoint of the shim", async () => {
    const store = new MemoryStore();
    const usage = usageOn(store);
    usage.record(record({}));
    usage.record(record({ method: "GET", path: "/order/123", route: "/order/:order_id", status: 200 }));
    usage.record(record({ method: "HEAD", path: "/order/123", route: "/order/:order_id", status: 200 }));
    usage.record(record({ method: "GET", path: "/order/ssl", route: "/order/ssl", status: 404 }));
    usage.record(record({ path: "/_shim/translate/order/code", route: "/_shim/translate/order/code", status: 200 }));
    usage.record(record({ method: "GET", path: "/_shim/openapi.json", route: "/_shim/openapi.json", status: 200 }));
    const counts = await flushed(usage, store);
    const path = (p: string) => ({ kind: "path", account_id: "001007", path: p });
    expect(counts.filter(([s]) => s?.kind === "path")).toEqual(
      expect.arrayContaining([
        [path("orders"), 1],
        [path("reads"), 2],
        [path("other"), 1],
        [path("translate"), 1],
      ]),
    );
    expect(counts.filter(([s]) => s?.kind === "path")).toHaveLength(4);
    // The translate call is not a legacy call: neither the clients view nor the calls count it.
    const calls = counts.filter(([s]) => s?.kind === "call").reduce((n, [, c]) => n + c, 0);
    expect(calls).toBe(4);
    expect((await usage.report()).clients[0]!.counts).toMatchObject({ ordered: 1, read: 2, refused_by_validation: 1 });
  });

  it("tells the paths apart by route and method", () => {
    expect(pathOf({ route: "/order/code", method: "POST" })).toBe("orders");
    expect(pathOf({ route: "/order/code", method: "OPTIONS" })).toBe("other");
    expect(pathOf({ route: "/order/:order_id", method: "HEAD" })).toBe("reads");
    expect(pathOf({ route: "/_shim/translate/order/code", method: "POST" })).toBe("translate");
    expect(pathOf({ route: "/*", method: "GET" })).toBe("other");
  });

  it("counts each order's time in its latency bucket, and not the orders the shim refused itself", async () => {
    const store = new MemoryStore();
    const usage = usageOn(store);
    usage.record(record({ duration_ms: 420 }));
    usage.record(record({ duration_ms: 430 }));
    usage.record(record({ duration_ms: 55_000, status: 503, v2_status: "ETIMEDOUT" }));
    usage.record(record({ duration_ms: 3, status: 400, errors: ["required_param:org_name"] }));
    usage.record(record({ duration_ms: 9, method: "GET", path: "/order/1", route: "/order/:order_id", status: 200 }));
    const latencies = (await flushed(usage, store)).filter(([s]) => s?.kind === "order_latency");
    expect(latencies).toEqual(
      expect.arrayContaining([
        [{ kind: "order_latency", account_id: "001007", bucket: latencyBucketOf(420) }, 2],
        [{ kind: "order_latency", account_id: "001007", bucket: latencyBucketOf(55_000) }, 1],
      ]),
    );
    expect(latencies).toHaveLength(2);
  });

  it("counts one request per error family, however many of its fields are missing", async () => {
    const store = new MemoryStore();
    const usage = usageOn(store);
    const missing = Array.from({ length: 14 }, (_, i) => `required_param:field_${i}`);
    usage.record(record({ status: 400, errors: [...missing, "invalid_param:validity"] }));
    usage.record(record({ status: 400, errors: ["required_param:field_0"] }));
    const counts = await flushed(usage, store);
    expect(counts).toContainEqual([{ kind: "v1_family", family: "required_param:*", status: 400 }, 2]);
    expect(counts).toContainEqual([{ kind: "v1_family", family: "invalid_param:*", status: 400 }, 1]);
    expect(counts).toContainEqual([{ kind: "v1_error", code: "required_param:field_0", status: 400 }, 2]);
    expect(counts.filter(([s]) => s?.kind === "v1_error")).toHaveLength(15);
  });
});
