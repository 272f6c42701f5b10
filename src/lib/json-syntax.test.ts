import { describe, expect, it } from "vitest";
import { findJsonSyntaxProblem } from "./json-syntax.js";

describe("findJsonSyntaxProblem", () => {
  it("finds nothing wrong with JSON", () => {
    for (const text of ['{"a": [1, -2.5e+3, "x\\u00e9\\n", true, false, null, {}]}', "[]", ' "text" ', "0"]) {
      expect(JSON.parse(text)).toBeDefined();
      expect(findJsonSyntaxProblem(text)).toBeUndefined();
    }
  });

  it("says where the text stops being JSON, and what was expected there", () => {
    expect(findJsonSyntaxProblem("V2SECRETKEY0123456789")).toEqual({
      line: 1,
      column: 1,
      expected: "a JSON value (an object, a list, a string, a number, true, false or null)",
    });
    expect(findJsonSyntaxProblem('{\n  "accounts": [\n    {"a": 1,}\n  ]\n}')).toEqual({
      line: 3,
      column: 13,
      expected: "a property name in double quotes",
    });
    expect(findJsonSyntaxProblem('{"a" 1}')).toMatchObject({ column: 6, expected: "a colon after the property name" });
    expect(findJsonSyntaxProblem('{"a": 1 "b": 2}')).toMatchObject({ column: 9, expected: "a comma or a closing }" });
    expect(findJsonSyntaxProblem("[1 2]")).toMatchObject({ column: 4, expected: "a comma or a closing ]" });
    expect(findJsonSyntaxProblem('{"a": "open')).toMatchObject({ column: 12, expected: 'a closing "' });
    expect(findJsonSyntaxProblem('"\\x"')).toMatchObject({ column: 3, expected: 'an escape such as \\" or \\n' });
    expect(findJsonSyntaxProblem("01")).toMatchObject({ column: 2, expected: "the end of the file" });
    expect(findJsonSyntaxProblem("1.")).toMatchObject({ column: 3, expected: "a digit after the decimal point" });
    expect(findJsonSyntaxProblem("")).toMatchObject({ line: 1, column: 1 });
  });
});
