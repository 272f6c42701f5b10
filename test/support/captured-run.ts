import { readCaptures } from "../../src/capture/read.js";
import type { CaptureRecord } from "../../src/capture/record.js";
import { startFakeV2 } from "./fake-v2.js";
import { basicAuth, getMessage, type HttpAnswer, type HttpMessage, orderRequest, sendHttpMessage } from "./http-files.js";
import { SEED_FIELDS } from "./seed-order.js";
import { startShim } from "./shim.js";

/** A request of the run, what it is meant to show, and what the shim answered. */
export interface RunStep {
  name: string;
  answer: HttpAnswer;
}

/** The seed's order with other credentials, another body, or fields changed. */
export function seedOrder(auth: string, fields: Record<string, string> = {}, base: HttpMessage = orderRequest()): HttpMessage {
  const headers = base.headers.filter(([name]) => !["authorization", "content-length"].includes(name.toLowerCase()));
  const changed = Object.keys(fields).length > 0;
  return {
    ...base,
    headers: [["Authorization", auth], ...headers],
    body: changed ? JSON.stringify({ ...SEED_FIELDS, ...fields }) : base.body,
  };
}

/**
 * A real run of the shim, listening (a capture records the request as Node read
 * it off the wire), with capture on, against the recording
 * fake v2: JSON and XML orders, a non-EV platform, a refusal by validation, a
 * refusal by v2, a lost answer found by look-up, order details, an overridden
 * GET, credentials the shim cannot use, and a key refused. Resolves once the shim has drained
 * (every record written), with its records.
 */
export async function capturedRun(
  dir: string,
  { accountId = "001007", key = "skyfall", env = {} }: { accountId?: string; key?: string; env?: Record<string, string> } = {},
): Promise<{ steps: RunStep[]; records: CaptureRecord[] }> {
  const fake = await startFakeV2();
  const shim = await startShim({ DIGICERT_API_URL: fake.url, SHIM_RETRY_BASE_MS: "1", SHIM_CAPTURE_DIR: dir, ...env });
  const auth = basicAuth(accountId, key);
  const steps: RunStep[] = [];
  const send = async (name: string, message: HttpMessage) => {
    steps.push({ name, answer: await sendHttpMessage(shim.url, message) });
  };
  await send("json order", seedOrder(auth));
  await send("xml order", seedOrder(auth, {}, orderRequest("seed-sample-xml")));
  await send("non-EV order", seedOrder(auth, { ev: "false", platform: "57", validity: "2" }));
  await send("refused by validation", seedOrder(auth, { validity: "7", org_contact_email: "not an email" }));
  fake.script({
    status: 400,
    body: { errors: [{ code: "invalid_contact|verified_contact", message: "The contact cannot be verified." }] },
  });
  await send("refused by v2", seedOrder(auth, { org_contact_lastname: "Refused" }));
  fake.script({ create: true, drop: true });
  await send("lost answer found by look-up", seedOrder(auth, { org_name: "Lost Answer Inc." }));
  const firstOrder = JSON.parse(steps[0]!.answer.text).order_id as number;
  await send("order details", getMessage(`/order/${firstOrder}`, { Authorization: auth }));
  await send("order details in XML, overridden", {
    startLine: `POST /clients/rest/api/order/${firstOrder} HTTP/1.1`,
    headers: [
      ["Authorization", auth],
      ["X-HTTP-Method-Override", "GET"],
      ["Accept", "application/xml"],
    ],
    body: "",
  });
  await send("unusable credentials", seedOrder(`Basic ${Buffer.from("no colon here").toString("base64")}`));
  // Refused by the accounts file in accounts mode; in passthrough by v2 (the sandbox refuses keys that begin with "invalid").
  await send("a key refused", seedOrder(basicAuth(accountId, `invalid-${key}`), { org_name: "Refused Key Ltd." }));
  // Drained, so that every record is written; on a failure the test closes both.
  await shim.close();
  await fake.close();
  return { steps, records: (await readCaptures([dir])).records };
}
