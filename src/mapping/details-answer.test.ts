import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { v1OrderDetailsSchemaFor } from "../contract/v1-answers.js";
import { type V2OrderInfo, v2OrderInfoSchema } from "../contract/v2.js";
import { toV1OrderDetails } from "./details-answer.js";

const fixtures = fileURLToPath(new URL("../../test/fixtures/order-details/", import.meta.url));

const scriptedAnswerSchema = z.object({ body: z.unknown().optional() });

/** Every "Order info" v2 answers in the order details fixtures, readable as v2's. */
function v2OrdersFromFixtures(): { name: string; order: V2OrderInfo }[] {
  return readdirSync(fixtures)
    .filter((name) => existsSync(join(fixtures, name, "v2-answer.json")))
    .flatMap((name) => {
      const answers = z
        .array(scriptedAnswerSchema)
        .parse([JSON.parse(readFileSync(join(fixtures, name, "v2-answer.json"), "utf8"))].flat());
      return answers.flatMap(({ body }) => {
        const order = v2OrderInfoSchema.safeParse(body);
        return order.success ? [{ name, order: order.data }] : [];
      });
    });
}

describe("the v1 order details schema", () => {
  const orders = v2OrdersFromFixtures();

  it("has full orders to check against: a receipt, validity dates and a platform", () => {
    const details = orders.map(({ order }) => toV1OrderDetails(order, "number"));
    expect(details.some((d) => d.receipt.order_total && d.certificate_details.valid_from && d.certificate_details.server_type)).toBe(true);
  });

  for (const format of ["number", "padded"] as const) {
    it(`describes exactly what toV1OrderDetails makes of every fixture's v2 order (${format} order ids)`, () => {
      const schema = v1OrderDetailsSchemaFor(format);
      for (const { name, order } of orders) {
        const details = toV1OrderDetails(order, format);
        // Parsing drops keys the schema does not know, so equality also catches a field the schema lacks.
        expect(schema.parse(details), name).toEqual(details);
      }
    });
  }

  it("holds the order id to the configured format", () => {
    const order = orders[0]!.order;
    expect(v1OrderDetailsSchemaFor("number").safeParse(toV1OrderDetails(order, "padded")).success).toBe(false);
    expect(v1OrderDetailsSchemaFor("padded").safeParse(toV1OrderDetails(order, "number")).success).toBe(false);
  });
});

describe("toV1OrderDetails", () => {
  const order = (status: string): V2OrderInfo => v2OrderInfoSchema.parse({ id: 7, status });

  it("shows v2's approved (seen in real Order info) as pending issuance, as every status before issued", () => {
    expect(toV1OrderDetails(order("approved"), "number").certificate_details.status).toBe("pending issuance");
  });
});
