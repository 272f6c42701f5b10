import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../src/config/config.js";
import { V1_ERROR_CATALOGUE } from "../src/contract/v1-errors.js";
import { openApiDocument } from "../src/routes/openapi.js";
import { codeTableDifferences, documentedErrorCodes } from "./support/error-table.js";

const SURFACE = readFileSync(new URL("../docs/v1-surface.md", import.meta.url), "utf8");
const catalogue = new Map<string, readonly number[]>(Object.entries(V1_ERROR_CATALOGUE).map(([code, { statuses }]) => [code, statuses]));

describe("the catalogue of v1 errors", () => {
  it("is the table of codes of docs/v1-surface.md, in both directions", () => {
    expect(codeTableDifferences(documentedErrorCodes(SURFACE), catalogue)).toEqual([]);
  });

  it("names a code documented but undefined, one defined but undocumented, and statuses that differ", () => {
    const readme = `## Error codes the shim defines

| Status | Code | When |
|---|---|---|
| 400 | \`malformed_body\` | … |
| 400, 401 | \`<v2 code with : for \\|>\` | … |
| 418 | \`teapot\` | … |

## Next`;
    const defined = new Map([
      ["malformed_body", [400]],
      ["<v2 code with : for |>", [400, 401, 403]],
      ["rate_limited", [503]],
    ]);
    expect(codeTableDifferences(documentedErrorCodes(readme), defined)).toEqual([
      "<v2 code with : for |> is documented with 400, 401 but the catalogue says 400, 401, 403",
      "teapot is documented but not in the catalogue",
      "rate_limited is in the catalogue but not documented",
    ]);
  });

  it("gives the OpenAPI document exactly its statuses", () => {
    const document = openApiDocument(loadConfig({}));
    const answered = new Set<number>();
    for (const operations of Object.values(document.paths)) {
      for (const operation of Object.values(operations as Record<string, { responses?: Record<string, unknown> }>)) {
        for (const status of Object.keys(operation.responses ?? {})) if (Number(status) >= 400) answered.add(Number(status));
      }
    }
    const defined = new Set(Object.values(V1_ERROR_CATALOGUE).flatMap((entry) => entry.statuses));
    expect([...answered].sort()).toEqual([...defined].sort());
  });
});
