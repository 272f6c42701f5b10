import { describe, expect, it } from "vitest";
import { MAX_DEPTH, MAX_ELEMENTS, parseXmlRoot, XmlRefused } from "./xml.js";

const nested = (levels: number) => `${"<a>".repeat(levels)}v${"</a>".repeat(levels)}`;

describe("parseXmlRoot", () => {
  it("reads as many levels of nesting as docs/v1-surface.md allows, and refuses one more", () => {
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
    expect(() => parseXmlRoot(`<?xml version="1.0"?><order>${"<!-- --><![CDATA[x]]><?pi?>".repeat(70)}<a>1</a></order>`)).not.toThrow();
  });

  it("refuses what is not well-formed XML, the three a lenient parser let through included", () => {
    for (const body of ["<order><a>&bogus;</a></order>", "<order><a>x\u0001y</a></order>", "<order><a>&#0;</a></order>"]) {
      expect(() => parseXmlRoot(body)).toThrow(/^The body is not well-formed XML: /);
    }
    expect(() => parseXmlRoot("<order><a>1</b></order>")).toThrow(XmlRefused);
    expect(() => parseXmlRoot("<order><!-- a -- b --></order>")).toThrow(XmlRefused);
    expect(() => parseXmlRoot("<order a='1' a='2'/>")).toThrow(XmlRefused);
    expect(() => parseXmlRoot("<order>1</order>junk")).toThrow(XmlRefused);
  });

  it("reads text, entities and CDATA, ignores attributes and prefixes, and turns repeats and children into lists and objects", () => {
    const body = `<v1:order xmlns:v1="urn:x" lang="en"><v1:a b="c"> AT&amp;T Caf&#233; </v1:a><c><![CDATA[x<y]]></c><d/><e>1</e><e>2</e><f><g>h</g></f></v1:order>`;
    expect(parseXmlRoot(body)).toEqual({ a: "AT&T Café", c: "x<y", d: "", e: ["1", "2"], f: { g: "h" } });
    expect(parseXmlRoot("<order/>")).toEqual({});
    expect(parseXmlRoot("<order>validity=1</order>")).toBe("validity=1");
  });
});
