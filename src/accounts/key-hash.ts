import { randomBytes, type ScryptOptions, scrypt, timingSafeEqual } from "node:crypto";

// A legacy key is stored as a salted, slow hash, with its parameters in the
// string so that they can be raised later without breaking older entries:
//   scrypt$<N>$<r>$<p>$<salt, base64>$<hash, base64>

export interface KeyHash {
  N: number;
  r: number;
  p: number;
  salt: Buffer;
  hash: Buffer;
}

/** About 50 ms and 16 MiB per check on this class of machine: slow for a guesser, cached for a client. */
export const DEFAULT_PARAMS = { N: 16_384, r: 8, p: 1 };

const FORMAT = /^scrypt\$(\d+)\$(\d+)\$(\d+)\$([A-Za-z0-9+/]+={0,2})\$([A-Za-z0-9+/]+={0,2})$/;

function derive(key: string, salt: Buffer, length: number, { N, r, p }: Pick<KeyHash, "N" | "r" | "p">): Promise<Buffer> {
  const options: ScryptOptions = { N, r, p, maxmem: 256 * N * r };
  return new Promise((resolve, reject) =>
    scrypt(key, salt, length, options, (error, derived) => (error ? reject(error) : resolve(derived))),
  );
}

export async function hashKey(key: string, params = DEFAULT_PARAMS): Promise<string> {
  const salt = randomBytes(16);
  const hash = await derive(key, salt, 32, params);
  return `scrypt$${params.N}$${params.r}$${params.p}$${salt.toString("base64")}$${hash.toString("base64")}`;
}

/** Undefined for anything that is not a hash this module wrote, or whose parameters are out of reason. */
export function parseKeyHash(text: string): KeyHash | undefined {
  const match = FORMAT.exec(text);
  if (!match) return undefined;
  const [N, r, p] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const powerOfTwo = N >= 1024 && N <= 1_048_576 && (N & (N - 1)) === 0;
  if (!powerOfTwo || r < 1 || r > 32 || p < 1 || p > 16) return undefined;
  const salt = Buffer.from(match[4]!, "base64");
  const hash = Buffer.from(match[5]!, "base64");
  return salt.length >= 16 && hash.length >= 16 ? { N, r, p, salt, hash } : undefined;
}

/** Runs on libuv's pool, off the event loop; compares in constant time. */
export async function verifyKey(key: string, stored: KeyHash): Promise<boolean> {
  const derived = await derive(key, stored.salt, stored.hash.length, stored);
  return timingSafeEqual(derived, stored.hash);
}
