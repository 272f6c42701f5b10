import { X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { SHIM_VERSION } from "../src/contract/version.js";
import { eventually } from "./support/eventually.js";
import { startFakeV2 } from "./support/fake-v2.js";
import { hold } from "./support/hold.js";
import { orderRequest, sendInProcess } from "./support/http-files.js";
import { sampleValue, scrape, shimMetricNames } from "./support/metrics.js";
import { type InProcessShim, inProcessShim, startShim } from "./support/shim.js";
import { makeServerChain } from "./support/tls-certs.js";

const OBSERVABILITY = readFileSync(new URL("../docs/observability.md", import.meta.url), "utf8");
const METRICS_SECTION = OBSERVABILITY.slice(
  OBSERVABILITY.indexOf("## Metrics"),
  OBSERVABILITY.indexOf("\n## ", OBSERVABILITY.indexOf("## Metrics") + 1),
);

/** A scrape of the shim in process: its admin app, or its legacy app without SHIM_ADMIN_PORT. */
const scrapeInProcess = async (shim: InProcessShim) => (await shim.adminRequest("/metrics")).text();

describe("GET /metrics", () => {
  it("has each legacy request's duration by route and status class, the requests in flight, and the build", async () => {
    const fake = await startFakeV2();
    const { released, release } = hold();
    fake.script({ until: released });
    const shim = await inProcessShim({ DIGICERT_API_URL: fake.url });
    const held = sendInProcess(shim, orderRequest());
    await eventually("the order at v2", () => fake.requests.length === 1);
    expect(sampleValue(await scrapeInProcess(shim), "shim_http_requests_in_flight ")).toBe(1);
    release();
    expect((await held).status).toBe(201);
    await sendInProcess(shim, {
      ...orderRequest(),
      headers: orderRequest().headers.filter(([n]) => n !== "Content-Length"),
      body: "{}",
    });

    const text = await scrapeInProcess(shim);
    expect(sampleValue(text, "shim_http_requests_in_flight ")).toBe(0);
    expect(sampleValue(text, 'shim_http_request_duration_seconds_count{route="/order/code",status_class="2xx"}')).toBe(1);
    expect(sampleValue(text, 'shim_http_request_duration_seconds_count{route="/order/code",status_class="4xx"}')).toBe(1);
    expect(sampleValue(text, 'shim_http_request_duration_seconds_bucket{le="60",route="/order/code",status_class="2xx"}')).toBe(1);
    expect(sampleValue(text, `shim_build_info{version="${SHIM_VERSION}",node="${process.version}"}`)).toBe(1);
  });

  // The certificate's expiry is the TLS listener's (src/server.ts registers it), so these two listen.
  it("with TLS: when the certificate served expires, in seconds since the epoch; without TLS, nothing", async () => {
    // Without TLS there is no certificate to expire.
    const plain = await startShim();
    expect(await scrape(plain.url)).not.toContain("shim_tls_certificate_not_after_seconds");
    const { server, chainFile } = makeServerChain("metrics");
    // The admin port is plain HTTP: a scraper needs no client for the shim's TLS.
    const shim = await startShim({ SHIM_TLS_CERT_FILE: chainFile, SHIM_TLS_KEY_FILE: server.keyFile, SHIM_ADMIN_PORT: "0" });
    const notAfter = new X509Certificate(server.cert).validToDate.getTime() / 1000;
    expect(sampleValue(await scrape(shim.adminUrl!), "shim_tls_certificate_not_after_seconds ")).toBe(notAfter);
  });

  it("is the Metrics table of docs/observability.md: every metric of the shim's own there, and none there that is not", async () => {
    // With TLS and a store to watch, so that every metric the shim can show is shown.
    const { server, chainFile } = makeServerChain("table");
    const tls = await startShim({ SHIM_TLS_CERT_FILE: chainFile, SHIM_TLS_KEY_FILE: server.keyFile, SHIM_ADMIN_PORT: "0" });
    const documented = [...METRICS_SECTION.matchAll(/^\| `(shim_\w+)` \|/gm)].map(([, name]) => name!).sort();
    expect(shimMetricNames(await scrape(tls.adminUrl!))).toEqual(documented);
  });
});
