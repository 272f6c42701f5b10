// First: on an older Node it stops the start, saying what is needed, before any other module runs.
import "../config/supported-node.js";
import { text } from "node:stream/consumers";
import { hashKey } from "../accounts/key-hash.js";

// npm run hash-key -- <legacy key>, or with the key on standard input so that
// it need not sit in the shell's history:  npm run hash-key < key.txt
// Prints the key_hash for SHIM_ACCOUNTS_FILE as its last line.

const fromArgument = process.argv[2];
if (process.stdin.isTTY && fromArgument === undefined) process.stderr.write("Legacy API key, then Enter: ");
const key = fromArgument ?? (await text(process.stdin)).split(/\r?\n/)[0] ?? "";
if (!key) {
  process.stderr.write("usage: npm run hash-key -- <legacy api key>   (or the key on standard input)\n");
  process.exit(2);
}
process.stdout.write(`${await hashKey(key)}\n`);
