import { XMLParser } from "fast-xml-parser";
import { expect } from "vitest";

const xml = new XMLParser({ preserveOrder: true, parseTagValue: false });

/** Compares bodies by meaning: JSON parsed, XML parsed with its element order kept. */
export function expectSameBody(contentType: string, actual: string, expected: string): void {
  if (contentType.includes("json")) {
    expect(JSON.parse(actual)).toEqual(JSON.parse(expected));
  } else if (contentType.includes("xml")) {
    expect(xml.parse(actual, true)).toEqual(xml.parse(expected.replace(/>\s+</g, "><"), true));
  } else {
    expect(actual).toBe(expected);
  }
}
