import { describe, expect, it } from "vitest";
import { MAX_DEPTH, MAX_ELEMENTS, parseXmlRoot, XmlRefused } from "./xml.js";

const nested = (levels: number) => `${"<a>".repeat(levels)}v${"</a>".repeat(levels)}`;

describe("parseXmlRoot", () => {
  it("reads as many levels of nesting as the README allows, and refuses one more", () => {
    expect(MAX_DEPTH).toBe(8);
    expect(() => parseXmlRoot(nested(MAX_DEPTH))).not.toThrow();
    expect(() => parseXmlRoot(nested(MAX_DEPTH + 1))).toThrow(XmlRefused);
  });

  it("refuses a body of more elements than an order could need, before parsing it", () => {
    const fields = (n: number) => `<order>${"<x>1</x>".repeat(n - 1)}</order>`;
    expect(parseXmlRoot(fields(MAX_ELEMENTS))).toEqual({ x: Array(MAX_ELEMENTS - 1).fill("1") });
    expect(() => parseXmlRoot(fields(MAX_ELEMENTS + 1))).toThrow(`XML bodies may have at most ${MAX_ELEMENTS} elements.`);
    // Self-closing elements count too; end tags, comments and declarations do not.
    expect(() => parseXmlRoot(`<order>${"<x/>".repeat(MAX_ELEMENTS)}</order>`)).toThrow(XmlRefused);
    expect(() => parseXmlRoot(`<?xml version="1.0"?><order><!-- ${"<!-- -->".repeat(200)} --><a>1</a></order>`)).not.toThrow();
  });
});
