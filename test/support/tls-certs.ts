import { execFileSync } from "node:child_process";
import { randomInt } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "./temp-files.js";

/** A PEM certificate and its key, as files and as text. */
interface Issued {
  certFile: string;
  keyFile: string;
  cert: string;
  key: string;
}

interface CertificateAuthority extends Issued {
  /** A certificate for `name`, signed by this authority; `extensions` in openssl's x509 extension syntax. */
  issue(name: string, extensions: string): Issued;
}

const openssl = (args: string[]) => execFileSync("openssl", args, { stdio: ["ignore", "pipe", "pipe"] });

/** A private key and certificate signing request made by the openssl command, in `dir`. */
function keyAndRequest(dir: string, name: string): { keyFile: string; csrFile: string } {
  const keyFile = join(dir, `${name}.key`);
  const csrFile = join(dir, `${name}.csr`);
  openssl(
    ["req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"].concat([
      "-keyout",
      keyFile,
      "-out",
      csrFile,
      "-subj",
      `/CN=${name}`,
    ]),
  );
  return { keyFile, csrFile };
}

function issued(certFile: string, keyFile: string): Issued {
  return { certFile, keyFile, cert: readFileSync(certFile, "utf8"), key: readFileSync(keyFile, "utf8") };
}

function authority(dir: string, self: Issued): CertificateAuthority {
  return {
    ...self,
    issue(leafName, extensions) {
      const { keyFile, csrFile } = keyAndRequest(dir, leafName);
      const extFile = join(dir, `${leafName}.ext`);
      writeFileSync(extFile, `${extensions}\n`);
      const certFile = join(dir, `${leafName}.crt`);
      openssl(
        ["x509", "-req", "-in", csrFile, "-CA", self.certFile, "-CAkey", self.keyFile, "-set_serial", String(randomInt(1, 2 ** 47))].concat(
          ["-days", "2", "-extfile", extFile, "-out", certFile],
        ),
      );
      return issued(certFile, keyFile);
    },
  };
}

/** A self-signed root authority, made with the openssl command in a fresh directory. */
export function makeAuthority(name: string, dir = tempDir("shim-tls-")): CertificateAuthority {
  const keyFile = join(dir, `${name}.key`);
  const certFile = join(dir, `${name}.crt`);
  openssl(
    ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2"]
      .concat(["-keyout", keyFile, "-out", certFile, "-subj", `/CN=${name}`])
      .concat(["-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"]),
  );
  return authority(dir, issued(certFile, keyFile));
}

const CA_EXTENSIONS = "basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign";
const SERVER_EXTENSIONS = "subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth";
export const CLIENT_EXTENSIONS = "extendedKeyUsage=clientAuth";

/**
 * A root, an intermediate under it, and a server certificate for localhost and
 * 127.0.0.1 under that: `chainFile` holds the server's certificate and then the
 * intermediate's, so a client that trusts only the root can verify it.
 */
export function makeServerChain(name = "shim") {
  const root = makeAuthority(`${name}-root`);
  const dir = tempDir("shim-tls-");
  const intermediate = authority(dir, root.issue(`${name}-intermediate`, CA_EXTENSIONS));
  const server = intermediate.issue(`${name}-server`, SERVER_EXTENSIONS);
  const chainFile = join(dir, `${name}-chain.pem`);
  writeFileSync(chainFile, server.cert + intermediate.cert);
  return { root, server, chainFile };
}
