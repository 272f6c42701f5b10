import { describe, expect, it } from "vitest";
import { v2OrderBodySchema } from "../contract/v2.js";
import { newAlternativeOrderId } from "./alternative-order-id.js";

describe("newAlternativeOrderId", () => {
  it("is alphanumeric, fits v2's 64 characters, and is new each time", () => {
    const ids = Array.from({ length: 1000 }, newAlternativeOrderId);
    for (const id of ids) {
      expect(id).toMatch(/^[a-z0-9]+$/);
      expect(v2OrderBodySchema.shape.alternative_order_id.safeParse(id).success).toBe(true);
    }
    expect(new Set(ids).size).toBe(ids.length);
  });
});
