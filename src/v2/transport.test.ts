import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { ANSWER_LOST, answerText, httpTransport, V2_MAX_ANSWER_BYTES } from "./transport.js";

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

/** A v2 that answers 200 with a body of `bytes`, written in 64 KiB chunks; says how much of it went out. */
async function answering(bytes: number) {
  const served = { written: 0, finished: false };
  const server = createServer(async (_req, res) => {
    res.writeHead(200, { "Content-Type": "application/json" });
    const chunk = Buffer.alloc(64 * 1024, " ");
    while (served.written < bytes && !res.destroyed) {
      served.written += chunk.length;
      if (!res.write(chunk)) await new Promise((resolve) => res.once("drain", resolve).once("close", resolve));
    }
    served.finished = !res.destroyed;
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const transport = httpTransport(`http://127.0.0.1:${(server.address() as AddressInfo).port}/services/v2`, 10_000);
  closers.push(async () => {
    await transport.close();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  return { served, transport };
}

const get = { method: "GET", path: "/order/certificate/1", headers: {}, timeoutMs: 10_000 } as const;

describe("httpTransport", () => {
  it("reads an answer up to V2_MAX_ANSWER_BYTES", async () => {
    const { transport } = await answering(V2_MAX_ANSWER_BYTES - 64 * 1024);
    expect((await transport.send(get)).text).toHaveLength(V2_MAX_ANSWER_BYTES - 64 * 1024);
  });

  it("stops reading an answer larger than V2_MAX_ANSWER_BYTES, and fails the call as unread", async () => {
    // Far more than loopback's socket buffers and undici's own can hold between them (several MiB on a
    // busy machine, where the client reads late): only the client's stopping can leave it unwritten.
    const { served, transport } = await answering(8 * V2_MAX_ANSWER_BYTES);
    const outcome = await transport.send(get).then(
      (answer) => `read ${answer.text.length} characters`,
      (error: { code?: string }) => error.code,
    );
    expect(outcome).toBe("UND_ERR_RES_EXCEEDED_MAX_SIZE");
    expect(served.finished).toBe(false);
  });

  it("fails a body that cannot be read as lost after v2 had the request, never as a TypeError (which reads as never sent)", async () => {
    // What undici rejects a body with when its size limit destroyed it before it was read: a bare TypeError.
    const unusable = { text: () => Promise.reject(new TypeError("unusable")) };
    await expect(answerText(unusable)).rejects.toMatchObject({ code: ANSWER_LOST });
    const reset = { text: () => Promise.reject(Object.assign(new Error("other side closed"), { code: "UND_ERR_SOCKET" })) };
    await expect(answerText(reset)).rejects.toMatchObject({ code: "UND_ERR_SOCKET" });
    expect(await answerText({ text: async () => "{}" })).toBe("{}");
  });
});
