import { describe, expect, it } from "vitest";
import { allowed } from "../contract/surface.js";
import { methodsAt } from "./served-paths.js";

describe("methodsAt", () => {
  it("finds a served path's methods, /order/code before /order/{order_id}", () => {
    expect(methodsAt("/order/code")).toEqual(["POST"]);
    expect(methodsAt("/order/00222307")).toEqual(["GET", "HEAD"]);
    expect(methodsAt("/order/abc")).toEqual(["GET", "HEAD"]);
    expect(methodsAt("/order/1/certificate")).toBeUndefined();
    expect(methodsAt("/")).toBeUndefined();
  });

  it("says OPTIONS besides", () => {
    expect(allowed(["GET", "HEAD"])).toEqual(["GET", "HEAD", "OPTIONS"]);
  });
});
