import { createPrivateKey, X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";
import { createSecureContext, type SecureContextOptions } from "node:tls";

// SHIM_TLS_CERT_FILE, SHIM_TLS_KEY_FILE and SHIM_TLS_CA_FILE: read and checked
// at start, and again on SIGHUP, so a bad pair never reaches the server.

export interface TlsFiles {
  certFile: string;
  keyFile: string;
  /** Set: clients must present a certificate issued by one of these (mTLS). */
  caFile: string | undefined;
}

/** The PEM texts, checked: a certificate (its chain after it), the key that matches it, the client CAs. */
export interface TlsMaterial {
  cert: string;
  key: string;
  ca: string | undefined;
  /** The leaf's SHA-256 fingerprint and expiry, for the log: nothing secret. */
  fingerprint: string;
  validTo: string;
  /** When the leaf expires, in milliseconds since the epoch. */
  notAfterMs: number;
}

type TlsVariable = "SHIM_TLS_CERT_FILE" | "SHIM_TLS_KEY_FILE" | "SHIM_TLS_CA_FILE";

interface TlsProblem {
  variable: TlsVariable;
  message: string;
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** TLS 1.2 and 1.3 only, whatever Node's own default or flags say. */
const MIN_VERSION = "TLSv1.2";

const reason = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** The three files, read and checked; each problem names its variable, never a byte of the key. */
export function readTlsMaterial(files: TlsFiles): { material: TlsMaterial } | { problems: TlsProblem[] } {
  const problems: TlsProblem[] = [];
  const read = (variable: TlsVariable, path: string): string | undefined => {
    try {
      return readFileSync(path, "utf8");
    } catch (error) {
      problems.push({ variable, message: `cannot be read (${path}): ${reason(error)}` });
      return undefined;
    }
  };
  const certText = read("SHIM_TLS_CERT_FILE", files.certFile);
  const keyText = read("SHIM_TLS_KEY_FILE", files.keyFile);
  const caText = files.caFile === undefined ? undefined : read("SHIM_TLS_CA_FILE", files.caFile);

  let leaf: X509Certificate | undefined;
  if (certText !== undefined) {
    try {
      leaf = new X509Certificate(certText);
    } catch (error) {
      problems.push({ variable: "SHIM_TLS_CERT_FILE", message: `is not a PEM certificate (${files.certFile}): ${reason(error)}` });
    }
  }
  let keyObject: ReturnType<typeof createPrivateKey> | undefined;
  if (keyText !== undefined) {
    try {
      keyObject = createPrivateKey(keyText);
    } catch (error) {
      problems.push({
        variable: "SHIM_TLS_KEY_FILE",
        message: `is not an unencrypted PEM private key (${files.keyFile}): ${reason(error)}`,
      });
    }
  }
  if (leaf && keyObject && !leaf.checkPrivateKey(keyObject)) {
    problems.push({ variable: "SHIM_TLS_KEY_FILE", message: `does not match the certificate in SHIM_TLS_CERT_FILE (${files.keyFile})` });
  }
  if (caText !== undefined) {
    const blocks = caText.match(PEM_CERTIFICATE) ?? [];
    const unreadable = blocks.findIndex((block) => !parses(block));
    if (blocks.length === 0 || unreadable !== -1) {
      problems.push({ variable: "SHIM_TLS_CA_FILE", message: `must hold PEM certificates (${files.caFile})` });
    }
  }
  if (problems.length > 0 || certText === undefined || keyText === undefined || !leaf) return { problems };

  const material: TlsMaterial = {
    cert: certText,
    key: keyText,
    ca: caText,
    fingerprint: leaf.fingerprint256,
    validTo: leaf.validTo,
    notAfterMs: leaf.validToDate.getTime(),
  };
  try {
    // What the server will do with them: a chain or CA OpenSSL refuses is found now, not at the first handshake.
    createSecureContext(secureContextOptions(material));
  } catch (error) {
    return { problems: [{ variable: "SHIM_TLS_CERT_FILE", message: `cannot be used with SHIM_TLS_KEY_FILE: ${reason(error)}` }] };
  }
  return { material };
}

function parses(pem: string): boolean {
  try {
    new X509Certificate(pem);
    return true;
  } catch {
    return false;
  }
}

/** What both the server and a SIGHUP reload give Node's TLS. */
export function secureContextOptions(material: TlsMaterial): SecureContextOptions {
  return { cert: material.cert, key: material.key, ca: material.ca, minVersion: MIN_VERSION };
}
