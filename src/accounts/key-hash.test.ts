import { describe, expect, it } from "vitest";
import { hashKey, parseKeyHash, verifyKey } from "./key-hash.js";

const FAST = { N: 1024, r: 8, p: 1 };

describe("key hashes", () => {
  it("verify the key they were made from, and no other", async () => {
    const stored = parseKeyHash(await hashKey("skyfall", FAST))!;
    expect(await verifyKey("skyfall", stored)).toBe(true);
    expect(await verifyKey("skyfal", stored)).toBe(false);
    expect(await verifyKey("skyfall ", stored)).toBe(false);
  });

  it("carry their parameters and a fresh salt, never the key", async () => {
    const [a, b] = [await hashKey("skyfall"), await hashKey("skyfall")];
    expect(a).toMatch(/^scrypt\$16384\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
    expect(a).not.toBe(b);
    expect(a).not.toContain("skyfall");
    expect(parseKeyHash(a)).toMatchObject({ N: 16384, r: 8, p: 1 });
  });

  it("refuse strings that are not such hashes, or ask for unreasonable work", () => {
    expect(parseKeyHash("skyfall")).toBeUndefined();
    expect(parseKeyHash("scrypt$16384$8$1$c2FsdA==$aGFzaA==")).toBeUndefined();
    const salt = Buffer.alloc(16, 1).toString("base64");
    const hash = Buffer.alloc(32, 2).toString("base64");
    expect(parseKeyHash(`scrypt$16384$8$1$${salt}$${hash}`)).toBeDefined();
    expect(parseKeyHash(`scrypt$16385$8$1$${salt}$${hash}`)).toBeUndefined();
    expect(parseKeyHash(`scrypt$${2 ** 24}$8$1$${salt}$${hash}`)).toBeUndefined();
  });
});
