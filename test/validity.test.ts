import { describe, expect, it } from "vitest";
import { orderRequest, sendInProcess } from "./support/http-files.js";
import { inProcessShim } from "./support/shim.js";

const withValidity = (years: number) => {
  const seed = orderRequest();
  return { ...seed, body: seed.body.replace('"validity": "1"', `"validity": "${years}"`) };
};

describe("a multi-year order against the built-in sandbox", () => {
  it("is sent as asked, and refused the way v2 would refuse it when SHIM_SANDBOX_MAX_YEARS is lower", async () => {
    const strict = await inProcessShim({ SHIM_SANDBOX_MAX_YEARS: "1" });
    const refused = await sendInProcess(strict, withValidity(2));
    expect(refused.status).toBe(400);
    expect(JSON.parse(refused.text)).toEqual({
      errors: [
        {
          code: "invalid_param:validity",
          description:
            "validity was refused by DigiCert: order_validity.years may be at most 1 for this product. (v2 code invalid_value|order_validity.years)",
        },
      ],
    });
    expect(strict.sandbox?.orders()).toEqual([]);
    expect((await sendInProcess(strict, withValidity(1))).status).toBe(201);

    const lenient = await inProcessShim();
    expect((await sendInProcess(lenient, withValidity(3))).status).toBe(201);
    expect(lenient.sandbox?.orders().map((o) => o.body.order_validity)).toEqual([{ years: 3 }]);
  });
});
