import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Validator } from "@seriousme/openapi-schema-validator";
import { Ajv2020 } from "ajv/dist/2020.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { loadConfig } from "../src/config/config.js";
import { V1_ORDER_FIELDS } from "../src/contract/v1-order.js";
import { legacyPathUnder } from "../src/http/served-paths.js";
import { openApiDocument } from "../src/routes/openapi.js";
import { parseHttpMessage } from "./support/http-files.js";
import { SEED_FIELDS } from "./support/seed-order.js";
import { type InProcessShim, inProcessShim } from "./support/shim.js";

const AUTH = { Authorization: "Basic MDAxMDA3OnNreWZhbGw=" };

// The parts of the document these tests read; parsing them also checks their shape.
const mediaTypeSchema = z.object({ schema: z.object({ $ref: z.string() }) });
const operationSchema = z.object({
  requestBody: z.object({ content: z.record(z.string(), mediaTypeSchema) }).optional(),
  responses: z.record(z.string(), z.object({ description: z.string().min(1), content: z.record(z.string(), mediaTypeSchema).optional() })),
});
const documentSchema = z.object({
  openapi: z.string(),
  info: z.object({ version: z.string(), description: z.string() }),
  paths: z.record(
    z.string(),
    z.object({ get: operationSchema.optional(), head: operationSchema.optional(), post: operationSchema.optional() }),
  ),
  components: z.object({
    schemas: z.object({
      V1Order: z.looseObject({
        properties: z.record(z.string(), z.looseObject({ description: z.string().optional() })),
        required: z.array(z.string()).default([]),
      }),
      V1OrderCreated: z.record(z.string(), z.unknown()),
      V1OrderDetails: z.record(z.string(), z.unknown()),
      V1Errors: z.record(z.string(), z.unknown()),
      V2RequestPreview: z.record(z.string(), z.unknown()),
    }),
  }),
});
type Document = z.infer<typeof documentSchema>;
type SchemaName = keyof Document["components"]["schemas"];
const schemaNames = documentSchema.shape.components.shape.schemas.keyof();

const ajv = new Ajv2020({ strict: true, allErrors: true, validateFormats: false });

/** The component a `$ref` names, compiled; compiling checks it against the JSON Schema 2020-12 meta-schema. */
function validatorFor(document: Document, name: SchemaName) {
  return ajv.compile(document.components.schemas[name]);
}
const componentOf = (media: z.infer<typeof mediaTypeSchema>): SchemaName =>
  schemaNames.parse(media.schema.$ref.replace("#/components/schemas/", ""));

let shim: InProcessShim;
beforeAll(async () => {
  shim = await inProcessShim();
});
afterAll(async () => {
  await shim.close();
});

async function servedDocument() {
  const response = await shim.request("/_shim/openapi.json", { headers: { Accept: "image/png" } });
  return { status: response.status, contentType: String(response.headers.get("content-type")), text: await response.text() };
}

async function requiredParamsReported(order: Record<string, string>): Promise<string[]> {
  const response = await shim.request("/order/code", {
    method: "POST",
    headers: { ...AUTH, "Content-Type": "application/json" },
    body: JSON.stringify(order),
  });
  expect(response.status).toBe(400);
  const { errors } = z.object({ errors: z.array(z.object({ code: z.string() })) }).parse(await response.json());
  return errors.flatMap(({ code }) => (code.startsWith("required_param:") ? [code.slice("required_param:".length)] : []));
}

describe("GET /_shim/openapi.json", () => {
  it("serves the document as JSON without credentials, whatever Accept says, and does not log it as a legacy call", async () => {
    const served = await servedDocument();
    expect(served.status).toBe(200);
    expect(served.contentType).toMatch(/^application\/json/);
    const document = documentSchema.parse(JSON.parse(served.text));
    expect(document.openapi).toBe("3.1.0");
    expect(document.info.version).toBe(z.object({ version: z.string() }).parse(JSON.parse(readFileSync("package.json", "utf8"))).version);
    expect(shim.logs().filter((line) => line.path === "/_shim/openapi.json")).toEqual([]);
  });

  it("is a valid OpenAPI 3.1 document, its schemas valid JSON Schema 2020-12", async () => {
    const { text } = await servedDocument();
    const validator = new Validator();
    // The document as served, whole: the test's own schema would drop what it does not read.
    const result = await validator.validate(JSON.parse(text));
    expect(result.errors).toBeUndefined();
    expect(result.valid).toBe(true);
    expect(validator.version).toBe("3.1");
    // The OpenAPI meta-schema leaves the schemas' insides alone; Ajv compiles each against its own.
    const document = documentSchema.parse(JSON.parse(text));
    for (const name of schemaNames.options) expect(() => validatorFor(document, name), name).not.toThrow();
  });
});

describe("the document's v1 order", () => {
  let document: Document;
  beforeAll(async () => {
    document = documentSchema.parse(JSON.parse((await servedDocument()).text));
  });

  it("names every v1 field, and only those, each with a description of its rule", () => {
    const { properties } = document.components.schemas.V1Order;
    expect(Object.keys(properties).sort()).toEqual([...V1_ORDER_FIELDS].sort());
    for (const field of V1_ORDER_FIELDS) expect(properties[field]?.description, field).toMatch(/\w+.*\.$/);
  });

  it("is offered under every media type the shim accepts, for the order and its translation", () => {
    for (const path of ["/order/code", "/_shim/translate/order/code"]) {
      expect(Object.keys(document.paths[path]?.post?.requestBody?.content ?? {}).sort(), path).toEqual([
        "application/json",
        "application/vnd.digicert.rest-v1+json",
        "application/vnd.digicert.rest-v1+xml",
        "application/xml",
        "text/xml",
      ]);
    }
  });

  it("accepts the seed's sample order, and describes the translation the shim answers for it", async () => {
    const validateOrder = validatorFor(document, "V1Order");
    expect(validateOrder(SEED_FIELDS), JSON.stringify(validateOrder.errors)).toBe(true);

    const response = await shim.request("/_shim/translate/order/code", {
      method: "POST",
      headers: { ...AUTH, "Content-Type": "application/json" },
      body: JSON.stringify(SEED_FIELDS),
    });
    expect(response.status).toBe(200);
    const validateTranslation = validatorFor(document, "V2RequestPreview");
    expect(validateTranslation(await response.json()), JSON.stringify(validateTranslation.errors)).toBe(true);
  });

  it("requires exactly the fields the shim reports missing from an empty order, and platform only where the shim does", async () => {
    const { required, properties } = document.components.schemas.V1Order;
    // platform is required unless cs_provisioning_method is ship_token: a condition
    // the schema checks in its superRefine, so it is not in the document's required
    // list (which would wrongly refuse a shipped token's order) but in its
    // description. An empty order has no ship_token, so the shim reports it there.
    expect((await requiredParamsReported({})).sort()).toEqual([...required, "platform"].sort());
    expect(properties.platform?.description).toContain("required unless cs_provisioning_method is ship_token");
    // With ship_token the condition is met, and what is reported is the required list exactly.
    expect((await requiredParamsReported({ cs_provisioning_method: "ship_token" })).sort()).toEqual([...required].sort());
  });
});

describe("the document's servers", () => {
  it("are the root and each base path for the legacy paths, and the root alone for the shim's own", () => {
    const paths = z
      .record(z.string(), z.object({ servers: z.array(z.object({ url: z.string() })).optional() }))
      .parse(openApiDocument(loadConfig({ SHIM_BASE_PATHS: "/clients/rest/api,/legacy" })).paths);
    for (const path of ["/order/code", "/order/{order_id}"]) {
      expect(
        paths[path]?.servers?.map((s) => s.url),
        path,
      ).toEqual(["/", "/clients/rest/api", "/legacy"]);
    }
    expect(paths["/_shim/translate/order/code"]?.servers).toBeUndefined();
  });
});

describe("the document's order details", () => {
  it("require every field, and the receipt, as legacy clients read them without checking", async () => {
    const details = z
      .object({
        required: z.array(z.string()),
        properties: z.object({
          certificate_details: z.object({ required: z.array(z.string()), properties: z.record(z.string(), z.unknown()) }),
          receipt: z.object({ required: z.array(z.string()), properties: z.record(z.string(), z.unknown()) }),
        }),
      })
      .parse(documentSchema.parse(JSON.parse((await servedDocument()).text)).components.schemas.V1OrderDetails);
    expect(details.required.sort()).toEqual(["certificate_details", "receipt"]);
    for (const part of [details.properties.certificate_details, details.properties.receipt]) {
      expect(part.required.sort()).toEqual(Object.keys(part.properties).sort());
    }
    expect(Object.keys(details.properties.certificate_details.properties)).toEqual(
      expect.arrayContaining(["business_unit", "is_renewal", "renewed_order_id", "site_seal_token", "valid_from", "server_type"]),
    );
  });
});

// Every answer a fixture expects, from a documented operation, must be one the
// document describes: its status, its media type and (for JSON) its body.
const fixtures = fileURLToPath(new URL("./fixtures/", import.meta.url));
const pathTemplate = (path: string) => (path.startsWith("/order/") && path !== "/order/code" ? "/order/{order_id}" : path);
const operationKey = z.enum(["get", "head", "post"]);

const fixtureCases = readdirSync(fixtures)
  .flatMap((group) => readdirSync(join(fixtures, group)).map((name) => join(group, name)))
  .sort()
  .flatMap((dir) => {
    const read = (file: string) => readFileSync(join(fixtures, dir, file), "utf8");
    const [method = "", path = ""] = parseHttpMessage(read("v1-request.http")).startLine.split(" ");
    const env = existsSync(join(fixtures, dir, "shim-env.json"))
      ? z.record(z.string(), z.string()).parse(JSON.parse(read("shim-env.json")))
      : {};
    const config = loadConfig(env);
    const document = documentSchema.parse(openApiDocument(config));
    const key = operationKey.safeParse(method.toLowerCase());
    // A path under a base path is the operation at that path (the document lists the base paths as its servers).
    const operation = key.success ? document.paths[pathTemplate(legacyPathUnder(config.basePaths)(path))]?.[key.data] : undefined;
    // Paths and methods the shim refuses (405, 404, custom methods) are not operations.
    return key.success && operation
      ? [
          {
            dir,
            request: `${method} ${path}`,
            head: key.data === "head",
            document,
            operation,
            answer: parseHttpMessage(read("v1-answer.http")),
          },
        ]
      : [];
  });

describe("the fixtures' answers", () => {
  it("come mostly from documented operations", () => {
    expect(fixtureCases.length).toBeGreaterThan(60);
  });

  for (const { dir, request, head, document, operation, answer } of fixtureCases) {
    it(`${dir}: are described by the document`, () => {
      const status = answer.startLine.split(" ")[1] ?? "";
      const response = operation.responses[status];
      expect(response, `${request} answers ${status}`).toBeDefined();
      const contentType = answer.headers.find(([name]) => name.toLowerCase() === "content-type")?.[1]?.split(";")[0];
      if (!contentType || answer.body === "" || head) return;
      const media = response?.content?.[contentType];
      expect(media, `${status} in ${contentType}`).toBeDefined();
      if (!media || !contentType.endsWith("json")) return;
      const validate = validatorFor(document, componentOf(media));
      expect(validate(JSON.parse(answer.body)), JSON.stringify(validate.errors)).toBe(true);
    });
  }
});
