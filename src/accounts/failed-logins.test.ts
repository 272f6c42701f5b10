import { describe, expect, it } from "vitest";
import { MemoryStore } from "../state/memory.js";
import { FailedLogins, type LoginLimits } from "./failed-logins.js";

const LIMITS: LoginLimits = { windowMs: 60_000, perAccount: 3, perAddress: 5, perTrustedAddress: 2, trustMs: 86_400_000 };

function limiter(now = () => 0) {
  return new FailedLogins(new MemoryStore(now), LIMITS, now);
}

/** One login: admitted or not, then failed or succeeded as asked. */
async function login(logins: FailedLogins, account: string, address: string, outcome: "fails" | "succeeds") {
  const attempt = await logins.attempt(account, address);
  if (!attempt.admitted) return "throttled";
  await (outcome === "fails" ? logins.failed(attempt.attempt) : logins.succeeded(attempt.attempt));
  return outcome === "fails" ? "failed" : "succeeded";
}

describe("FailedLogins", () => {
  it("limits failed logins per account by rate, and says when the next may be tried", async () => {
    let now = 0;
    const logins = limiter(() => now);
    const results = [];
    for (let i = 0; i < 5; i++) results.push(await login(logins, "001007", `10.0.0.${i}`, "fails"));
    expect(results).toEqual(["failed", "failed", "failed", "throttled", "throttled"]);
    now = 30_000;
    expect(await logins.attempt("001007", "10.0.0.9")).toEqual({ admitted: false, retryAfterMs: 30_000 });
    now = 60_001;
    expect(await login(logins, "001007", "10.0.0.9", "fails")).toBe("failed");
  });

  it("limits guesses made in parallel to the limit: each takes its slot before its key is checked", async () => {
    const logins = limiter();
    const attempts = await Promise.all(Array.from({ length: 20 }, (_, i) => logins.attempt("001007", `10.0.0.${i}`)));
    expect(attempts.filter((a) => a.admitted)).toHaveLength(3);
  });

  it("limits failed logins per address, whatever accounts they try", async () => {
    const logins = limiter();
    const results = [];
    for (let i = 0; i < 7; i++) results.push(await login(logins, `account${i}`, "10.9.9.9", "fails"));
    expect(results.filter((r) => r === "throttled")).toHaveLength(2);
  });

  it("lets the real client in from where it logged in before, however many guesses come from elsewhere", async () => {
    const logins = limiter();
    expect(await login(logins, "001007", "192.0.2.1", "succeeds")).toBe("succeeded");
    for (let i = 0; i < 20; i++) await login(logins, "001007", `10.0.0.${i}`, "fails");
    expect(await login(logins, "001007", "10.0.1.1", "fails")).toBe("throttled");
    for (let i = 0; i < 5; i++) expect(await login(logins, "001007", "192.0.2.1", "succeeds")).toBe("succeeded");
  });

  it("never clears a guesser's count when the real client succeeds", async () => {
    const logins = limiter();
    const results = [];
    for (let i = 0; i < 6; i++) {
      results.push(await login(logins, "001007", "10.6.6.6", "fails"));
      await login(logins, "001007", "192.0.2.1", "succeeds");
    }
    expect(results).toEqual(["failed", "failed", "failed", "throttled", "throttled", "throttled"]);
  });

  it("limits failures from a trusted address too, by that address's own count", async () => {
    const logins = limiter();
    await login(logins, "001007", "192.0.2.1", "succeeds");
    const results = [];
    for (let i = 0; i < 4; i++) results.push(await login(logins, "001007", "192.0.2.1", "fails"));
    expect(results).toEqual(["failed", "failed", "throttled", "throttled"]);
  });

  it("gives the slot back on success: successes from a new address never throttle it", async () => {
    const logins = limiter();
    for (let i = 0; i < 10; i++) expect(await login(logins, `account${i}`, "10.1.1.1", "succeeds")).toBe("succeeded");
  });
});
