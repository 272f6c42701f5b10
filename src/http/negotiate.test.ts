import { describe, expect, it } from "vitest";
import { negotiateFormat } from "./negotiate.js";

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
