import { describe, expect, it } from "vitest";
import { bodyFormat, negotiateFormat } from "./formats.js";

describe("bodyFormat", () => {
  it("knows the legacy and generic types, in any case, with parameters", () => {
    expect(bodyFormat("application/vnd.digicert.rest-v1+json")).toBe("json");
    expect(bodyFormat("Application/JSON; charset=utf-8")).toBe("json");
    expect(bodyFormat("application/vnd.digicert.rest-v1+xml;charset=UTF-8")).toBe("xml");
    expect(bodyFormat("text/xml")).toBe("xml");
    expect(bodyFormat("application/xml")).toBe("xml");
    expect(bodyFormat("text/plain")).toBeUndefined();
    expect(bodyFormat("toString")).toBeUndefined();
    expect(bodyFormat(undefined)).toBeUndefined();
  });
});

describe("negotiateFormat", () => {
  it("falls back to the body's format, then to JSON", () => {
    expect(negotiateFormat(undefined, "text/xml")).toBe("xml");
    expect(negotiateFormat("", "application/json")).toBe("json");
    expect(negotiateFormat(undefined, undefined)).toBe("json");
    expect(negotiateFormat("*/*", undefined)).toBe("json");
  });

  it("reads application/* as either format and text/* as XML", () => {
    expect(negotiateFormat("application/*", "text/xml")).toBe("xml");
    expect(negotiateFormat("text/*", "application/json")).toBe("xml");
  });

  it("takes the error media types as naming their format", () => {
    expect(negotiateFormat("application/vnd.digicert.error+xml", "application/json")).toBe("xml");
  });

  it("refuses when nothing acceptable remains", () => {
    expect(negotiateFormat("image/png", "application/json")).toBeUndefined();
    expect(negotiateFormat("application/xml;q=0", "application/xml")).toBeUndefined();
  });
});
