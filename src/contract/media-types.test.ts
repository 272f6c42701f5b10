import { describe, expect, it } from "vitest";
import { bodyFormat } from "./media-types.js";

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
