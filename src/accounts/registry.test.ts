import { beforeAll, describe, expect, it, vi } from "vitest";
import { hashFast } from "../../test/support/accounts.js";
import type { Account } from "./accounts-file.js";
import { HashSlots } from "./hash-slots.js";
import { parseKeyHash, verifyKey } from "./key-hash.js";
import { AccountRegistry } from "./registry.js";

let acme: Account;
beforeAll(async () => {
  acme = {
    accountId: "001007",
    keyHash: parseKeyHash(await hashFast("skyfall"))!,
    v2ApiKey: "v2-key",
    containerId: 42,
    organizationId: undefined,
    addVerifiedContact: false,
    enabled: true,
  };
});

function registry(accounts: Account[], ttl = 60_000) {
  let now = 0;
  const verify = vi.fn(verifyKey);
  const subject = new AccountRegistry(new Map(accounts.map((a) => [a.accountId, a])), { cacheTtlMs: ttl, verify, now: () => now });
  return { subject, verify, advance: (ms: number) => (now += ms) };
}

describe("AccountRegistry", () => {
  it("accepts the right key, and refuses a wrong key and an unknown account alike, after the same work", async () => {
    const { subject, verify } = registry([acme]);
    expect(await subject.check("001007", "skyfall")).toEqual({ outcome: "accepted", account: acme });
    expect(await subject.check("001007", "wrong")).toEqual({ outcome: "refused" });
    expect(await subject.check("999999", "skyfall")).toEqual({ outcome: "refused" });
    expect(verify).toHaveBeenCalledTimes(3);
    // The unknown account was checked against a hash as slow as a real one.
    expect(verify.mock.calls[2]![1]).toMatchObject({ N: 16384, r: 8, p: 1 });
  });

  it("turns a check away as busy, without hashing, when no hash slot frees in time", async () => {
    let release: () => void = () => undefined;
    const verify = vi.fn(
      (key: string, stored: Parameters<typeof verifyKey>[1]) =>
        new Promise<boolean>((resolve) => {
          release = () => void verifyKey(key, stored).then(resolve);
        }),
    );
    const hashSlots = new HashSlots({ concurrency: 1, maxWaitMs: 50, maxWaiting: 10 });
    const subject = new AccountRegistry(new Map([[acme.accountId, acme]]), { cacheTtlMs: 60_000, verify, hashSlots });
    const first = subject.check("001007", "skyfall");
    expect(await subject.check("999999", "guess")).toEqual({ outcome: "busy" });
    expect(verify).toHaveBeenCalledTimes(1);
    release();
    expect((await first).outcome).toBe("accepted");
  });

  it("says an account is disabled only to its right key", async () => {
    const { subject } = registry([{ ...acme, enabled: false }]);
    expect((await subject.check("001007", "skyfall")).outcome).toBe("disabled");
    expect((await subject.check("001007", "wrong")).outcome).toBe("refused");
  });

  it("remembers a success for a while, under a key that holds no secret", async () => {
    const { subject, verify, advance } = registry([acme], 1_000);
    await subject.check("001007", "skyfall");
    await subject.check("001007", "skyfall");
    expect(verify).toHaveBeenCalledTimes(1);
    for (const key of subject.cachedKeys()) {
      expect(key).not.toContain("skyfall");
      expect(key).not.toContain("001007");
    }
    advance(1_001);
    await subject.check("001007", "skyfall");
    expect(verify).toHaveBeenCalledTimes(2);
  });

  it("forgets what it remembered when the accounts are replaced", async () => {
    const { subject } = registry([acme]);
    await subject.check("001007", "skyfall");
    subject.replace(new Map());
    expect(subject.cachedKeys()).toEqual([]);
    expect((await subject.check("001007", "skyfall")).outcome).toBe("refused");
  });
});
