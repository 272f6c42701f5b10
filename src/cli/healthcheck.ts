// The image's HEALTHCHECK: GET /healthz on this container's own listener, with Node itself (a distroless
// image has no curl). Exit 0 when it answers 200, 1 otherwise. The port, address and TLS are read as the
// server reads them; over TLS the certificate is not checked, since it names the public host, not loopback.
import "../config/supported-node.js";
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { loadConfig } from "../config/config.js";

const config = loadConfig(process.env);
const host = !config.host || config.host === "0.0.0.0" || config.host === "::" ? "127.0.0.1" : config.host;
const request = config.tls ? httpsRequest : httpRequest;
const probe = request({ host, port: config.port, path: "/healthz", timeout: 5_000, rejectUnauthorized: false }, (response) => {
  response.resume();
  process.exitCode = response.statusCode === 200 ? 0 : 1;
});
probe.on("timeout", () => probe.destroy(new Error("no answer within 5 s")));
probe.on("error", (error) => {
  process.stderr.write(`healthcheck: ${error.message}\n`);
  process.exitCode = 1;
});
probe.end();
