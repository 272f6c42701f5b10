import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A CA of the test's own and a server certificate it signed for 127.0.0.1 and localhost, made with openssl. */
export function makeCertificates(): { caFile: string; ca: string; certFile: string; keyFile: string } {
  const dir = mkdtempSync(join(tmpdir(), "shim-certs-"));
  const at = (name: string) => join(dir, name);
  const openssl = (...args: string[]) => execFileSync("openssl", args, { stdio: "ignore" });
  openssl(
    "req",
    "-x509",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-keyout",
    at("ca.key"),
    "-out",
    at("ca.pem"),
    "-days",
    "1",
    "-subj",
    "/CN=shim test CA",
  );
  openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", at("server.key"), "-out", at("server.csr"), "-subj", "/CN=localhost");
  writeFileSync(at("ext.cnf"), "subjectAltName=DNS:localhost,IP:127.0.0.1\n");
  openssl(
    "x509",
    "-req",
    "-in",
    at("server.csr"),
    "-CA",
    at("ca.pem"),
    "-CAkey",
    at("ca.key"),
    "-CAcreateserial",
    "-out",
    at("server.pem"),
    "-days",
    "1",
    "-extfile",
    at("ext.cnf"),
  );
  return { caFile: at("ca.pem"), ca: readFileSync(at("ca.pem"), "utf8"), certFile: at("server.pem"), keyFile: at("server.key") };
}
