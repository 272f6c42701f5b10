import { execFile } from "node:child_process";
import { X509Certificate } from "node:crypto";
import { once } from "node:events";
import { readFileSync, writeFileSync } from "node:fs";
import { Agent, request } from "node:https";
import { connect as connectTcp } from "node:net";
import { type ConnectionOptions, connect as connectTls, type PeerCertificate, type TLSSocket } from "node:tls";
import { promisify } from "node:util";
import { describe, expect, it, onTestFinished } from "vitest";
import { ConfigError, loadConfig } from "../src/config/config.js";
import { hashFast, writeAccountsFile } from "./support/accounts.js";
import { orderRequest } from "./support/http-files.js";
import { spawnShim } from "./support/process.js";
import { type RunningShim, startShim } from "./support/shim.js";
import { writeTempFile } from "./support/temp-files.js";
import { CLIENT_EXTENSIONS, makeAuthority, makeServerChain } from "./support/tls-certs.js";

const run = promisify(execFile);
const { root, server, chainFile } = makeServerChain();
const clients = makeAuthority("clients");
const goodClient = clients.issue("good-client", CLIENT_EXTENSIONS);
const strangerClient = makeAuthority("strangers").issue("stranger", CLIENT_EXTENSIONS);
const TLS_ENV = { SHIM_TLS_CERT_FILE: chainFile, SHIM_TLS_KEY_FILE: server.keyFile };

let shim: RunningShim | undefined;
const spawn = spawnShim;

interface Answer {
  status: number;
  text: string;
  /** The certificate the shim presented. */
  peer: PeerCertificate;
  protocol: string | null;
  alpn: string | false | null;
  /** The local port of the connection, which tells a kept-alive connection from a new one. */
  localPort: number | undefined;
}

/** One HTTPS request with Node's client, trusting only the test root. */
function get(url: string, options: { agent?: Agent; cert?: string; key?: string; method?: string; body?: string } = {}) {
  return new Promise<Answer>((resolve, reject) => {
    const req = request(
      url,
      {
        method: options.method ?? "GET",
        agent: options.agent,
        ca: options.agent ? undefined : root.cert,
        cert: options.cert,
        key: options.key,
      },
      (res) => {
        const socket = res.socket as TLSSocket;
        const answer = {
          peer: socket.getPeerCertificate(),
          protocol: socket.getProtocol(),
          alpn: socket.alpnProtocol,
          localPort: socket.localPort,
        };
        let text = "";
        res.on("data", (chunk: Buffer) => (text += chunk.toString()));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, text, ...answer }));
      },
    );
    req.on("error", reject);
    req.end(options.body);
  });
}

/** A TLS handshake with Node's client, then the socket's view of it. */
async function handshake(port: number, options: ConnectionOptions) {
  const socket = connectTls({ host: "127.0.0.1", port, servername: "localhost", ca: root.cert, ...options });
  try {
    await once(socket, "secureConnect");
    return { protocol: socket.getProtocol(), alpn: socket.alpnProtocol, authorized: socket.authorized };
  } finally {
    socket.destroy();
  }
}

const configProblems = (env: Record<string, string>): string => {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
  throw new Error("the configuration was accepted");
};

describe("TLS configuration, checked at start", () => {
  it("refuses a missing file, a file that is not PEM, a key without its certificate and a key that does not match, naming the variable", () => {
    expect(configProblems({ ...TLS_ENV, SHIM_TLS_CERT_FILE: "/nonexistent/cert.pem" })).toMatch(/SHIM_TLS_CERT_FILE cannot be read/);
    expect(configProblems({ ...TLS_ENV, SHIM_TLS_KEY_FILE: "/nonexistent/key.pem" })).toMatch(/SHIM_TLS_KEY_FILE cannot be read/);
    expect(configProblems({ ...TLS_ENV, SHIM_TLS_CERT_FILE: writeTempFile("cert.pem", "not a certificate") })).toMatch(
      /SHIM_TLS_CERT_FILE is not a PEM certificate/,
    );
    expect(configProblems({ ...TLS_ENV, SHIM_TLS_KEY_FILE: writeTempFile("key.pem", "not a key") })).toMatch(
      /SHIM_TLS_KEY_FILE is not an unencrypted PEM private key/,
    );
    expect(configProblems({ SHIM_TLS_KEY_FILE: server.keyFile })).toMatch(/SHIM_TLS_CERT_FILE is required with SHIM_TLS_KEY_FILE/);
    expect(configProblems({ SHIM_TLS_CERT_FILE: chainFile })).toMatch(/SHIM_TLS_KEY_FILE is required with SHIM_TLS_CERT_FILE/);
    expect(configProblems({ ...TLS_ENV, SHIM_TLS_KEY_FILE: goodClient.keyFile })).toMatch(
      /SHIM_TLS_KEY_FILE does not match the certificate in SHIM_TLS_CERT_FILE/,
    );
    expect(configProblems({ ...TLS_ENV, SHIM_TLS_CA_FILE: writeTempFile("ca.pem", "nothing here") })).toMatch(
      /SHIM_TLS_CA_FILE must hold PEM certificates/,
    );
  });

  it("stops the start of the built process naming the variable, and never prints the key", async () => {
    const running = spawn({ ...TLS_ENV, SHIM_TLS_KEY_FILE: goodClient.keyFile });
    expect(await running.exited).toBe(1);
    expect(running.stderr()).toContain("SHIM_TLS_KEY_FILE does not match the certificate");
    expect(running.stderr() + running.stdout()).not.toContain("PRIVATE KEY");
  });
});

describe("HTTPS on PORT", () => {
  it("serves the chain from the certificate file, so a client trusting only the root verifies it, and takes orders", async () => {
    shim = await startShim(TLS_ENV);
    const health = await get(`${shim.url}/healthz`);
    expect(health).toMatchObject({ status: 200, alpn: false });
    expect(health.peer.subject.CN).toBe("shim-server");

    const seed = orderRequest();
    const headers = Object.fromEntries(seed.headers);
    const order = await new Promise<number>((resolve, reject) => {
      const req = request(`${shim!.url}/order/code`, { method: "POST", headers, ca: root.cert }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on("error", reject);
      req.end(seed.body);
    });
    expect(order).toBe(201);
  });

  it("speaks TLS 1.3 and 1.2, and HTTP/1.1 when a client offers h2 too", async () => {
    shim = await startShim(TLS_ENV);
    const port = Number(new URL(shim.url).port);
    expect(await handshake(port, {})).toMatchObject({ protocol: "TLSv1.3", authorized: true });
    expect(await handshake(port, { maxVersion: "TLSv1.2" })).toMatchObject({ protocol: "TLSv1.2", authorized: true });
    expect(await handshake(port, { ALPNProtocols: ["h2", "http/1.1"] })).toMatchObject({ alpn: "http/1.1" });
  });

  it("refuses TLS 1.1 even when Node is started to allow it", async () => {
    const running = spawn({ ...TLS_ENV, NODE_OPTIONS: "--tls-min-v1.0" });
    const port = await running.listening;
    const refused = handshake(port, { minVersion: "TLSv1", maxVersion: "TLSv1.1", ciphers: "DEFAULT@SECLEVEL=0" });
    await expect(refused).rejects.toMatchObject({ code: "ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION" });
  });

  it("answers curl, verifying against the root", async () => {
    shim = await startShim(TLS_ENV);
    const { stdout } = await run("curl", ["--silent", "--show-error", "--cacert", root.certFile, "--http1.1", `${shim.url}/healthz`]);
    expect(JSON.parse(stdout)).toEqual({ status: "alive" });
    const seed = orderRequest();
    const order = await run("curl", [
      "--silent",
      "--show-error",
      "--cacert",
      root.certFile,
      ...seed.headers.filter(([name]) => name.toLowerCase() !== "content-length").flatMap(([name, value]) => ["-H", `${name}: ${value}`]),
      "--data-binary",
      seed.body,
      "--write-out",
      "\n%{http_code}",
      `${shim.url}/order/code`,
    ]);
    expect(order.stdout.split("\n").at(-1)).toBe("201");
  });

  it("closes a plain-HTTP request to the TLS port without an HTTP answer, and keeps serving TLS", async () => {
    shim = await startShim(TLS_ENV);
    const port = Number(new URL(shim.url).port);
    const socket = connectTcp({ host: "127.0.0.1", port });
    let received = "";
    socket.on("data", (chunk: Buffer) => (received += chunk.toString("latin1")));
    socket.on("error", () => undefined);
    socket.write("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    await once(socket, "close");
    expect(received).not.toContain("HTTP/");

    // curl fails at once (an empty reply or a reset), it does not hang.
    const plain = run("curl", ["--silent", "--max-time", "20", `http://127.0.0.1:${port}/healthz`]);
    await expect(plain).rejects.toMatchObject({ code: expect.toSatisfy((code: number) => code === 52 || code === 56) });
    expect((await get(`${shim.url}/healthz`)).status).toBe(200);
  });
});

describe("client certificates (SHIM_TLS_CA_FILE)", () => {
  it("answers a client whose certificate the CA issued, and refuses one without a certificate or with another CA's", async () => {
    shim = await startShim({ ...TLS_ENV, SHIM_TLS_CA_FILE: clients.certFile });
    expect((await get(`${shim.url}/healthz`, { cert: goodClient.cert, key: goodClient.key })).status).toBe(200);
    await expect(get(`${shim.url}/healthz`)).rejects.toThrow(/certificate required|socket hang up|ECONNRESET/);
    await expect(get(`${shim.url}/healthz`, { cert: strangerClient.cert, key: strangerClient.key })).rejects.toThrow(
      /unknown ca|socket hang up|ECONNRESET/,
    );
  });
});

describe("SIGHUP reloads the certificate (node dist/shim.mjs)", () => {
  it("serves new handshakes with the new certificate, keeps open connections and every request answered, and refuses a bad pair", async () => {
    const next = makeServerChain("next");
    const certFile = writeTempFile("cert.pem", readFileText(chainFile));
    const keyFile = writeTempFile("key.pem", server.key);
    const running = spawn({ SHIM_TLS_CERT_FILE: certFile, SHIM_TLS_KEY_FILE: keyFile });
    const port = await running.listening;
    const url = `https://127.0.0.1:${port}/healthz`;
    const agent = new Agent({ keepAlive: true, maxSockets: 4, ca: [root.cert, next.root.cert] });
    onTestFinished(() => agent.destroy());
    const before = await Promise.all(Array.from({ length: 4 }, () => get(url, { agent })));
    expect(before.map((a) => a.peer.fingerprint256)).toEqual(Array(4).fill(fingerprintOf(server.cert)));
    const connections = new Set(before.map((a) => a.localPort));
    expect(connections.size).toBe(4);

    // A bounded load on four kept-alive connections while the files change and the signal comes.
    const load = Promise.all(
      Array.from({ length: 4 }, async () => {
        const answers: Answer[] = [];
        for (let i = 0; i < 50; i++) answers.push(await get(url, { agent }));
        return answers;
      }),
    );
    writeFileSync(certFile, readFileText(next.chainFile));
    writeFileSync(keyFile, next.server.key);
    running.child.kill("SIGHUP");
    await running.logged(/TLS certificate reloaded/);
    const answers = (await load).flat();
    expect(answers.map((a) => a.status)).toEqual(Array(200).fill(200));
    // The kept-alive connections carried on through the reload, with the certificate they began with.
    expect(new Set(answers.map((a) => a.localPort))).toEqual(connections);
    expect(new Set(answers.map((a) => a.peer.fingerprint256))).toEqual(new Set([fingerprintOf(server.cert)]));
    agent.destroy();

    const after = await get(url, { agent: new Agent({ ca: next.root.cert }) });
    expect(after.peer.fingerprint256).toBe(fingerprintOf(next.server.cert));

    // A key that does not match: refused, logged naming the variable, the certificate in use stays.
    writeFileSync(keyFile, server.key);
    running.child.kill("SIGHUP");
    await running.logged(/TLS files refused/);
    expect(running.stdout()).toMatch(/SHIM_TLS_KEY_FILE does not match the certificate/);
    const still = await get(url, { agent: new Agent({ ca: next.root.cert }) });
    expect(still.peer.fingerprint256).toBe(fingerprintOf(next.server.cert));
    expect(running.stdout() + running.stderr()).not.toContain("PRIVATE KEY");
  });
});

describe("SIGHUP reloads the accounts file and the TLS files each on its own", () => {
  it("a refused accounts file does not stop a new certificate, nor a refused certificate a new accounts file", async () => {
    const next = makeServerChain("other");
    const certFile = writeTempFile("cert.pem", readFileText(chainFile));
    const keyFile = writeTempFile("key.pem", server.key);
    const accounts = writeAccountsFile({
      accounts: [{ account_id: "001007", key_hash: await hashFast("skyfall"), digicert_api_key_env: "DC_KEY" }],
    });
    const running = spawn({ SHIM_TLS_CERT_FILE: certFile, SHIM_TLS_KEY_FILE: keyFile, SHIM_ACCOUNTS_FILE: accounts, DC_KEY: "k" });
    const url = `https://127.0.0.1:${await running.listening}/healthz`;

    writeFileSync(accounts, "{ not json");
    writeFileSync(certFile, readFileText(next.chainFile));
    writeFileSync(keyFile, next.server.key);
    running.child.kill("SIGHUP");
    await running.logged(/accounts file refused/);
    await running.logged(/TLS certificate reloaded/);
    expect((await get(url, { agent: new Agent({ ca: next.root.cert }) })).peer.fingerprint256).toBe(fingerprintOf(next.server.cert));

    writeFileSync(accounts, JSON.stringify({ accounts: [] }));
    writeFileSync(keyFile, server.key);
    running.child.kill("SIGHUP");
    await running.logged(/accounts file reloaded/);
    await running.logged(/TLS files refused/);
    expect((await get(url, { agent: new Agent({ ca: next.root.cert }) })).peer.fingerprint256).toBe(fingerprintOf(next.server.cert));
  });
});

const readFileText = (path: string) => readFileSync(path, "utf8");
const fingerprintOf = (pem: string) => new X509Certificate(pem).fingerprint256;
