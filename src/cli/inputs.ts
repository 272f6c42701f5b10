import { readFile } from "node:fs/promises";
import { buffer } from "node:stream/consumers";
import type { Format } from "../contract/media-types.js";
import { messageOf, usageError } from "./exit.js";
import { type V2Payload, v2PayloadSchema } from "./payload-diff.js";

/** A file, or standard input for "-", decoded as the server decodes a body (UTF-8, a BOM dropped). */
export async function readInput(file: string): Promise<string> {
  try {
    return new TextDecoder().decode(file === "-" ? await buffer(process.stdin) : await readFile(file));
  } catch (error) {
    throw usageError(`cannot read ${file}: ${messageOf(error)}`);
  }
}

// The server goes by the Content-Type; a file has none, so its first character tells.
export const v1FormatOf = (text: string): Format => (text.trimStart().startsWith("<") ? "xml" : "json");

/** What a rewritten client sends, or a usage error naming the file. */
export function parseV2Payload(file: string, text: string): V2Payload {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw usageError(`${file} is not JSON: ${messageOf(error)}`);
  }
  const payload = v2PayloadSchema.safeParse(json);
  if (!payload.success) throw usageError(`${file} must be a v2 order body (a JSON object) or {"method","path","body"}`);
  return payload.data;
}
