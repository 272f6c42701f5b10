import { describe, expect, it } from "vitest";
import { withoutKeys } from "./redact.js";

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
