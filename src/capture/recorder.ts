import { AsyncLocalStorage } from "node:async_hooks";
import type { Context } from "hono";
import type { Config } from "../config/config.js";
import { SHIM_VERSION } from "../contract/version.js";
import { HEADER_SAFE } from "../http/basic-auth.js";
import type { CapturedRequest, RequestCapture } from "../http/capture-hook.js";
import { type ShimEnv, settled } from "../http/env.js";
import { requestHeader } from "../http/request-header.js";
import type { Logger } from "../observability/log.js";
import { describeFailure } from "../v2/client.js";
import type { V2HttpRequest, V2HttpResponse, V2Transport } from "../v2/transport.js";
import { answerAsSent, answerInProcess, type CapturedAnswer } from "./answer.js";
import {
  bodyOf,
  bodyValue,
  CAPTURE_FORMAT,
  CAPTURED_REQUEST_HEADERS,
  type CapturedV2Call,
  type CaptureRecord,
  type Credentials,
  v2CallName,
} from "./record.js";
import { scrubbedBytes, scrubbedJson } from "./scrub.js";
import { CaptureWriter, type DropReason } from "./writer.js";

/** A v2 call made while a captured request was in flight, kept as it was until the record is made. */
interface SeenCall {
  request: V2HttpRequest;
  response?: V2HttpResponse;
  error?: unknown;
  afterMs: number;
  ms: number;
}

/** What a captured request's record needs from before it was answered. */
interface Pending {
  at: number;
  /** performance.now() when the request arrived, for when each v2 call began. */
  receivedAt: number;
  calls: SeenCall[];
  /** Its Basic credentials as sent, and their key: what must not be in its record. */
  secrets: string[];
  accountId: string | undefined;
  credentials: "none" | "unusable" | undefined;
}

/** The v2 answer headers a record keeps: those that shape what the shim does next. */
const V2_ANSWER_HEADERS = ["content-type", "retry-after"];

export interface CaptureDeps {
  config: Config;
  mode: "passthrough" | "accounts";
  logger: Logger;
  /** Counts each record written or dropped. */
  count: (outcome: "written" | DropReason, records: number) => void;
  /** Sampling: a number in [0, 1). */
  random?: () => number;
}

/**
 * With SHIM_CAPTURE_DIR: each legacy request kept (sampled, and only for the
 * accounts asked for) as one record of a capture file, with the v2 calls it made
 * and their answers. A request runs inside an AsyncLocalStorage of its own, so
 * that the v2 transport can tell whose calls it carries; this module is loaded
 * only when capture is on, and a request not captured pays for a random number
 * (and, with SHIM_CAPTURE_ACCOUNTS, a look at its credentials' account id).
 * Records are made and written after the answer, in the background: a capture
 * never delays or fails a request; what cannot be written is counted, and said
 * once in the log.
 */
export class Capture implements RequestCapture {
  private readonly storage = new AsyncLocalStorage<Pending>();
  private readonly settings: NonNullable<Config["capture"]>;
  private readonly writer: CaptureWriter;
  private readonly random: () => number;
  /** SHIM_CAPTURE_ACCOUNTS: only these accounts' requests are kept; undefined, every request. */
  private readonly accounts: ReadonlySet<string> | undefined;
  /** Secrets no record may hold, whatever request it is of. */
  private readonly globalSecrets: string[];
  private failing = false;
  /** Records being made: the drain waits for them before it closes the file. */
  private readonly making = new Set<Promise<void>>();

  constructor(private readonly deps: CaptureDeps) {
    const { config, logger, count } = deps;
    this.settings = config.capture!;
    this.random = deps.random ?? Math.random;
    this.accounts = this.settings.accounts && new Set(this.settings.accounts);
    this.globalSecrets = [config.adminToken, config.retryWindow.fingerprintKey].filter((s): s is string => !!s);
    this.writer = new CaptureWriter({
      dir: this.settings.dir,
      maxFileBytes: this.settings.maxFileBytes,
      retentionMs: this.settings.retentionMs,
      replicaId: config.state.replicaId,
      onWritten: (records) => count("written", records),
      onDropped: (reason, records) => count(reason, records),
      onFailing: (error) => this.sayFailing(error),
      onRecovered: () => {
        this.failing = false;
        logger.info({ capture_dir: this.settings.dir }, "captures are written again");
      },
    });
  }

  start(c: Context<ShimEnv>): CapturedRequest | undefined {
    if (this.settings.sampleRate < 1 && this.random() >= this.settings.sampleRate) return undefined;
    const authorization = requestHeader(c, "authorization") ?? c.req.header("authorization");
    const basic = readBasic(authorization);
    if (this.accounts && !(basic.accountId !== undefined && this.accounts.has(basic.accountId))) return undefined;
    const pending: Pending = {
      at: Date.now(),
      receivedAt: settled(c, "receivedAt"),
      calls: [],
      secrets: basic.secrets,
      accountId: basic.accountId,
      credentials: authorization === undefined ? "none" : basic.usable ? undefined : "unusable",
    };
    return {
      within: (work) => this.storage.run(pending, work),
      answered: (context, answer) => this.answered(context, answer, pending),
    };
  }

  /** The transport, telling each call made for a captured request to that request's record. */
  transport(send: V2Transport): V2Transport {
    return async (request) => {
      const pending = this.storage.getStore();
      if (!pending) return send(request);
      const started = performance.now();
      const call: SeenCall = { request, afterMs: tenths(started - pending.receivedAt), ms: 0 };
      pending.calls.push(call);
      try {
        call.response = await send(request);
        return call.response;
      } catch (error) {
        call.error = error;
        throw error;
      } finally {
        call.ms = tenths(performance.now() - started);
      }
    };
  }

  /** Makes and writes out what waits, then closes the file; for the drain. */
  async close(): Promise<void> {
    await Promise.all(this.making);
    await this.writer.close();
  }

  private answered(c: Context<ShimEnv>, answer: Response, pending: Pending): void {
    try {
      const outgoing = c.env?.outgoing;
      const sent = outgoing ? answerAsSent(outgoing) : answerInProcess(answer, c.req.method === "HEAD");
      const base = this.requestPart(c, pending, answer.status);
      // Hono keeps the body it read for the handler, typed as the buffer, held as its promise (HonoRequest's #cachedBody).
      const cached = c.req.bodyCache.arrayBuffer as ArrayBuffer | Promise<ArrayBuffer> | undefined;
      const body = cached === undefined ? undefined : Promise.resolve(cached);
      const making = this.complete(base, sent, body, pending).catch((error: unknown) => this.lost(error));
      this.making.add(making);
      void making.finally(() => this.making.delete(making));
    } catch (error) {
      this.lost(error);
    }
  }

  /** Everything read from the request's context, while it is still the request's. */
  private requestPart(c: Context<ShimEnv>, pending: Pending, status: number) {
    const incoming = c.env?.incoming;
    const account = c.get("account");
    const log = settled(c, "log");
    const headers: Record<string, string> = {};
    for (const name of CAPTURED_REQUEST_HEADERS) {
      const value = incoming ? incoming.headers[name] : c.req.header(name);
      if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(", ") : value;
    }
    return {
      at: pending.at,
      reqId: settled(c, "requestId"),
      account,
      credentials: pending.credentials ?? credentialsOf(account !== undefined, status, log.errors),
      // As the client sent it: an overridden method's request is dispatched again over the same Node request.
      method: incoming?.method ?? c.req.method,
      target: incoming?.url ?? targetOf(c.req.url),
      headers,
      declaredLength: requestHeader(c, "content-length") ?? c.req.header("content-length"),
      chunked: (requestHeader(c, "transfer-encoding") ?? c.req.header("transfer-encoding")) !== undefined,
      log: {
        alternative_order_id: log.alternative_order_id,
        v2_order_id: log.v2_order_id,
        recovered_by_lookup: log.recovered_by_lookup,
        replayed_from: log.replayed_from,
        errors: log.errors,
      },
      durationMs: tenths(performance.now() - settled(c, "receivedAt")),
    };
  }

  private async complete(
    base: ReturnType<Capture["requestPart"]>,
    sent: Promise<CapturedAnswer>,
    body: Promise<ArrayBuffer> | undefined,
    pending: Pending,
  ): Promise<void> {
    const secrets = [...this.globalSecrets, ...pending.secrets];
    if (base.account) secrets.push(base.account.v2ApiKey);
    for (const call of pending.calls) {
      const key = call.request.headers["X-DC-DEVKEY"];
      if (key) secrets.push(key);
    }
    const { config, mode } = this.deps;
    const record: CaptureRecord = {
      capture: CAPTURE_FORMAT,
      at: new Date(base.at).toISOString(),
      req_id: base.reqId,
      shim: { version: SHIM_VERSION, mode, v2: config.digicertApiUrl ?? "sandbox", order_id_format: config.orderIdFormat },
      account_id: pending.accountId,
      credentials: base.credentials,
      account_mapping:
        mode === "accounts" && base.account
          ? {
              container_id: base.account.containerId,
              organization_id: base.account.organizationId,
              add_verified_contact: base.account.addVerifiedContact,
            }
          : undefined,
      request: {
        method: base.method,
        target: base.target,
        headers: base.headers,
        body: await requestBody(body, base.declaredLength, base.chunked, secrets),
      },
      v2: pending.calls.map(capturedCall),
      answer: await sent,
      log: base.log,
      duration_ms: base.durationMs,
    };
    this.writer.add(scrubbedJson(record, secrets));
  }

  /** A record that could not be made: counted as a failed write, and said once. */
  private lost(error: unknown): void {
    this.deps.count("write_failed", 1);
    this.sayFailing(error);
  }

  private sayFailing(error: unknown): void {
    if (this.failing) return;
    this.failing = true;
    this.deps.logger.error(
      { capture_dir: this.settings.dir, error: describeFailure(error) },
      'captures cannot be written: requests go on, uncaptured (counted in shim_capture_records_total{outcome="write_failed"})',
    );
  }
}

/** The account id and the secrets of an Authorization header, and whether the shim can use it as Basic credentials. */
function readBasic(header: string | undefined): { accountId?: string; secrets: string[]; usable: boolean } {
  const token = header?.match(/^\s*basic\s+(\S+)\s*$/i)?.[1];
  if (header === undefined) return { secrets: [], usable: false };
  if (!token) return { secrets: [header], usable: false };
  const decoded = Buffer.from(token, "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon < 1 || colon === decoded.length - 1) return { secrets: [token, decoded], usable: false };
  const key = decoded.slice(colon + 1);
  return { accountId: decoded.slice(0, colon), secrets: [token, key], usable: HEADER_SAFE.test(key) };
}

/** What became of usable credentials, told by the answer: see credentialsSchema. */
function credentialsOf(accepted: boolean, status: number, errors: readonly string[] | undefined): Credentials {
  // A disabled account is told so only once its key is right.
  if (accepted || errors?.includes("account_disabled")) return "accepted";
  if (status === 401 || errors?.includes("too_many_failed_logins")) return "refused";
  return "unchecked";
}

async function requestBody(
  read: Promise<ArrayBuffer> | undefined,
  declaredLength: string | undefined,
  chunked: boolean,
  secrets: readonly string[],
): Promise<CaptureRecord["request"]["body"]> {
  const bytes = read && (await read.then((buffer) => new Uint8Array(buffer)).catch(() => undefined));
  if (!bytes) {
    const length = declaredLength === undefined ? undefined : Number(declaredLength);
    if (!chunked && (length === undefined || length === 0)) return { as: "none" };
    return length === undefined || !Number.isSafeInteger(length) ? { as: "unread" } : { as: "unread", length };
  }
  if (bytes.length === 0) return { as: "none" };
  try {
    return { as: "text", text: new TextDecoder("utf-8", { fatal: true }).decode(bytes) };
  } catch {
    return { as: "base64", base64: scrubbedBytes(bytes, secrets).toString("base64") };
  }
}

const tenths = (ms: number) => Math.round(ms * 10) / 10;

const targetOf = (url: string) => {
  const parsed = new URL(url);
  return parsed.pathname + parsed.search;
};

function capturedCall({ request, response, error, afterMs, ms }: SeenCall): CapturedV2Call {
  const sent = request.body === undefined ? undefined : bodyOf(request.body);
  const base = { call: v2CallName(request.method, request.path), method: request.method, path: request.path, after_ms: afterMs, ms };
  const call = sent === undefined ? base : { ...base, body: sent };
  if (!response) return { ...call, answer: { no_answer: describeFailure(error) } };
  const headers: Record<string, string> = {};
  for (const name of V2_ANSWER_HEADERS) {
    const value = response.headers[name];
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(", ") : value;
  }
  const answered = bodyValue(response.text);
  return { ...call, answer: { status: response.status, headers, ...("json" in answered ? { body: answered.json } : answered) } };
}

/** Capture as configured, with its metrics and its log; loaded by the server only when SHIM_CAPTURE_DIR is set. */
export function startCapture(deps: CaptureDeps): Capture {
  const capture = new Capture(deps);
  const { dir, sampleRate, accounts } = deps.config.capture!;
  deps.logger.info(
    { capture_dir: dir, capture_sample_rate: sampleRate, capture_accounts: accounts },
    "capturing legacy requests: the files hold what clients order (names, addresses, contacts); keep the folder private",
  );
  return capture;
}
