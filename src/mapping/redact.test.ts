import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { keyScrubber, withoutKeys } from "./redact.js";

const V2_KEY = "ABCD1234EFGH5678IJKL9012MNOP3456";

describe("withoutKeys", () => {
  it("takes out every occurrence of each key, and any part of one", () => {
    expect(withoutKeys(`Key ${V2_KEY} may not order; ${V2_KEY}.`, [V2_KEY])).toBe("Key [redacted] may not order; [redacted].");
    expect(withoutKeys("The key ABCD1234… is not valid", [V2_KEY])).toBe("The key [redacted]… is not valid");
    expect(withoutKeys("…5678IJKL9012 ends it", [V2_KEY])).toBe("…[redacted] ends it");
    expect(withoutKeys("user 001007 with skyfall", [V2_KEY, "skyfall"])).toBe("user 001007 with [redacted]");
  });

  it("leaves other text alone, and keys too short to look for", () => {
    expect(withoutKeys("The verified contact is not valid.", [V2_KEY, "skyfall"])).toBe("The verified contact is not valid.");
    expect(withoutKeys("access_denied_invalid_key", ["k", "ey"])).toBe("access_denied_invalid_key");
  });
});

describe("keyScrubber", () => {
  it("hands back what withoutKeys does, for texts made of keys, their parts and anything else, and finds them in JSON", () => {
    // Quotes, backslashes and line breaks, which JSON escapes, among key-like characters.
    const alphabet = fc.constantFrom(...'aB3-_+/=. :"\\\n…é'.split(""));
    const key = fc.string({ unit: alphabet, minLength: 0, maxLength: 24 });
    fc.assert(
      fc.property(fc.array(key, { minLength: 1, maxLength: 4 }), fc.array(fc.nat(), { maxLength: 8 }), (keys, picks) => {
        // Whole keys, their cut ends and middles, and other text, run together.
        const pieces = picks.map((pick, i) => {
          const whole = keys[pick % keys.length]!;
          return [whole, whole.slice(pick % 7), whole.slice(0, whole.length - (pick % 5)), " ", "x9", "…"][i % 6]!;
        });
        const text = pieces.join("");
        expect(keyScrubber(keys).scrub(text)).toBe(withoutKeys(text, keys));
        // What holds a key, or a string that does once written as JSON, is never passed over.
        if (withoutKeys(text, keys) !== text) expect(keyScrubber(keys).mayHoldKey(JSON.stringify({ text }))).toBe(true);
      }),
      { numRuns: 2_000 },
    );
    expect(keyScrubber([V2_KEY]).scrub(`key ${V2_KEY.slice(3, 15)}…`)).toBe("key [redacted]…");
    expect(keyScrubber([V2_KEY]).scrub("nothing of it")).toBe("nothing of it");
    // A part of a key after an escape, as JSON writes a line break before it.
    expect(keyScrubber([V2_KEY]).mayHoldKey(JSON.stringify({ text: `line\n${V2_KEY.slice(4, 12)}` }))).toBe(true);
  });
});
