import { describe, expect, it } from "vitest";
import { scrubbedBytes, scrubbedJson } from "./scrub.js";

const KEY = "Z3x9KqL0vB7mWc2R";

describe("a capture record scrubbed of keys", () => {
  it("has no key in any string, whole or inside a longer run, and keeps field names and everything else", () => {
    const record = { headers: { "x-dc-devkey": KEY }, body: `{"note":"${KEY}tail"}`, [KEY]: "a field name stays", n: 7 };
    const text = scrubbedJson(record, [KEY]);
    const parsed = JSON.parse(text);
    expect(parsed.headers["x-dc-devkey"]).not.toContain(KEY.slice(0, 8));
    expect(parsed.body).not.toContain(KEY.slice(0, 8));
    expect(parsed.body).toMatch(/^\{"note":"/);
    expect(parsed[KEY]).toBe("a field name stays");
    expect(parsed.n).toBe(7);
  });

  it("is the record as it was when it holds no key", () => {
    const record = { body: "nothing secret", list: [1, "two"] };
    expect(scrubbedJson(record, [KEY])).toBe(JSON.stringify(record));
  });

  it("in bytes that are not UTF-8, loses the key and keeps every other byte", () => {
    const bytes = Buffer.concat([Buffer.from([0x93]), Buffer.from(KEY), Buffer.from([0x94, 0xe9])]);
    const scrubbed = scrubbedBytes(bytes, [KEY]);
    expect(scrubbed.toString("latin1")).not.toContain(KEY.slice(0, 8));
    expect(scrubbed[0]).toBe(0x93);
    expect([...scrubbed.subarray(-2)]).toEqual([0x94, 0xe9]);
  });
});
