import { describe, expect, it } from "vitest";
import { ClientUsage, outcomeOf } from "./client-usage.js";
import type { RequestRecord } from "./request-log.js";

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
  ...over,
});

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
  it("keeps memory bounded however many agents call, counting the rest together", () => {
    const usage = new ClientUsage(10);
    for (let i = 0; i < 1_000; i++) usage.record(record({ user_agent: `Agent/${i}` }));
    const { clients } = usage.report();
    expect(clients).toHaveLength(11);
    expect(clients.find((c) => c.user_agent === "(others)")?.counts.ordered).toBe(990);
  });

  it("clips long ids and agents, and ignores the shim's own endpoints", () => {
    const usage = new ClientUsage();
    usage.record(record({ user_agent: "x".repeat(10_000), account_id: "y".repeat(1_000) }));
    usage.record(record({ path: "/_shim/translate/order/code" }));
    const [client] = usage.report().clients;
    expect(client!.user_agent).toHaveLength(256);
    expect(client!.account_id).toHaveLength(64);
    expect(usage.report().clients).toHaveLength(1);
  });
});
