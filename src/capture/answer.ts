import type { OutgoingHttpHeaders, ServerResponse } from "node:http";

/** The v1 answer as a record keeps it. */
export interface CapturedAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

const headerText = (value: string | number | readonly string[] | undefined): string =>
  Array.isArray(value) ? value.join(", ") : String(value);

/** Headers as writeHead takes them: an object, or a flat list of names and values. */
function headersOf(given: unknown): Record<string, string> {
  const headers: Record<string, string> = {};
  if (Array.isArray(given)) {
    for (let i = 0; i + 1 < given.length; i += 2) headers[String(given[i]).toLowerCase()] = String(given[i + 1]);
  } else if (typeof given === "object" && given !== null) {
    for (const [name, value] of Object.entries(given as OutgoingHttpHeaders))
      if (value !== undefined) headers[name.toLowerCase()] = headerText(value);
  }
  return headers;
}

/**
 * The answer as Node writes it to the client: its status, headers and bytes,
 * taken as they pass through the response's writeHead, write and end, and
 * resolved once the response is done (or its connection gone). Reading the web
 * Response instead would mean copying it, which costs more than the rest of a
 * record together and takes the adapter off its fast path.
 */
export function answerAsSent(outgoing: ServerResponse): Promise<CapturedAnswer> {
  const chunks: Buffer[] = [];
  let given: Record<string, string> = {};
  const take = (chunk: unknown) => {
    if (typeof chunk === "string") chunks.push(Buffer.from(chunk));
    else if (chunk instanceof Uint8Array) chunks.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
  };
  const { writeHead, write, end } = outgoing;
  const patched = outgoing as unknown as Record<"writeHead" | "write" | "end", (...args: unknown[]) => unknown>;
  patched.writeHead = function (this: ServerResponse, ...args: unknown[]) {
    given = headersOf(args.find((arg, i) => i > 0 && typeof arg === "object"));
    return (writeHead as (...a: unknown[]) => unknown).apply(this, args);
  };
  patched.write = function (this: ServerResponse, ...args: unknown[]) {
    take(args[0]);
    return (write as (...a: unknown[]) => unknown).apply(this, args);
  };
  patched.end = function (this: ServerResponse, ...args: unknown[]) {
    take(args[0]);
    return (end as (...a: unknown[]) => unknown).apply(this, args);
  };
  return new Promise((resolve) => {
    outgoing.once("close", () => {
      const set = Object.fromEntries(Object.entries(outgoing.getHeaders()).map(([name, value]) => [name, headerText(value)]));
      resolve({ status: outgoing.statusCode, headers: { ...set, ...given }, body: Buffer.concat(chunks).toString("utf8") });
    });
  });
}

/** The answer of an app called in process (no Node response to watch): read from a copy of the web Response. */
export async function answerInProcess(answer: Response, head: boolean): Promise<CapturedAnswer> {
  const headers = Object.fromEntries(answer.headers);
  const body = head || answer.body === null ? "" : await answer.clone().text();
  return { status: answer.status, headers, body };
}
