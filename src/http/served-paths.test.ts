import { describe, expect, it } from "vitest";
import { allowed } from "../contract/surface.js";
import { legacyPathUnder, methodsAt } from "./served-paths.js";

describe("methodsAt", () => {
  it("finds a served path's methods, /order/code before /order/{order_id}", () => {
    expect(methodsAt("/order/code")).toEqual(["POST"]);
    expect(methodsAt("/order/00222307")).toEqual(["GET", "HEAD"]);
    expect(methodsAt("/order/abc")).toEqual(["GET", "HEAD"]);
    expect(methodsAt("/order/1/certificate")).toBeUndefined();
    expect(methodsAt("/")).toBeUndefined();
  });

  it("reads a legacy path under a base path as that path, and anything else under it as it is", () => {
    const legacyPath = legacyPathUnder(["/clients/rest/api", "/v1"]);
    expect(legacyPath("/clients/rest/api/order/code")).toBe("/order/code");
    expect(legacyPath("/v1/order/00222307")).toBe("/order/00222307");
    expect(legacyPath("/clients/rest/api/request/7902")).toBe("/request/7902");
    expect(legacyPath("/order/code")).toBe("/order/code");
    for (const path of [
      "/clients/rest/api/_shim/openapi.json",
      "/clients/rest/api/healthz",
      "/clients/rest/api",
      "/clients/rest/apiorder/code",
    ]) {
      expect(legacyPath(path), path).toBe(path);
    }
    expect(legacyPathUnder([])("/clients/rest/api/order/code")).toBe("/clients/rest/api/order/code");
  });

  it("says OPTIONS besides", () => {
    expect(allowed(["GET", "HEAD"])).toEqual(["GET", "HEAD", "OPTIONS"]);
  });
});
