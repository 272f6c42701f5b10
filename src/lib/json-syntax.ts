/** Where a text stops being JSON, and what JSON expected there. */
export interface JsonSyntaxProblem {
  line: number;
  column: number;
  expected: string;
}

class Stop {
  constructor(
    readonly at: number,
    readonly expected: string,
  ) {}
}

/**
 * The first place where `text` is not JSON (RFC 8259), or undefined when it is
 * (or nests too deep to follow).
 * For telling an operator where a file is broken without quoting it: JSON.parse's
 * own messages quote the text, which may be a secret (a key file named by
 * mistake). Recursive descent, for files an operator writes.
 */
export function findJsonSyntaxProblem(text: string): JsonSyntaxProblem | undefined {
  let at = 0;
  const skipSpace = () => {
    while (at < text.length && " \t\n\r".includes(text[at]!)) at++;
  };
  const expect = (char: string, expected: string) => {
    if (text[at] !== char) throw new Stop(at, expected);
    at++;
  };
  const digits = (expected: string) => {
    const start = at;
    while (at < text.length && text[at]! >= "0" && text[at]! <= "9") at++;
    if (at === start) throw new Stop(at, expected);
  };
  const string = (expected: string) => {
    expect('"', expected);
    for (;;) {
      if (at >= text.length) throw new Stop(at, 'a closing "');
      const char = text.charCodeAt(at);
      if (char === 0x22) break;
      if (char < 0x20) throw new Stop(at, "a control character to be escaped");
      if (char === 0x5c) {
        at++;
        if (text[at] === "u") {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(at + 1, at + 5))) throw new Stop(at + 1, "four hexadecimal digits after \\u");
          at += 4;
        } else if (!'"\\/bfnrt'.includes(text[at] ?? "x")) {
          throw new Stop(at, 'an escape such as \\" or \\n');
        }
      }
      at++;
    }
    at++;
  };
  const number = () => {
    if (text[at] === "-") at++;
    if (text[at] === "0") at++;
    else digits("a digit");
    if (text[at] === ".") {
      at++;
      digits("a digit after the decimal point");
    }
    if (text[at] === "e" || text[at] === "E") {
      at++;
      if (text[at] === "+" || text[at] === "-") at++;
      digits("a digit in the exponent");
    }
  };
  /** The members of an object or the elements of a list, after its opening bracket. */
  const sequence = (close: string, item: () => void) => {
    at++;
    skipSpace();
    if (text[at] === close) {
      at++;
      return;
    }
    for (;;) {
      item();
      skipSpace();
      if (text[at] === close) break;
      expect(",", `a comma or a closing ${close}`);
    }
    at++;
  };
  const member = () => {
    skipSpace();
    string("a property name in double quotes");
    skipSpace();
    expect(":", "a colon after the property name");
    value();
  };
  const value = (): void => {
    skipSpace();
    const char = text[at];
    if (char === "{") {
      sequence("}", member);
    } else if (char === "[") {
      sequence("]", value);
    } else if (char === '"') {
      string("a string");
    } else if (char === "-" || (char !== undefined && char >= "0" && char <= "9")) {
      number();
    } else {
      const word = ["true", "false", "null"].find((w) => text.startsWith(w, at));
      if (!word) throw new Stop(at, "a JSON value (an object, a list, a string, a number, true, false or null)");
      at += word.length;
    }
  };
  try {
    value();
    skipSpace();
    if (at < text.length) throw new Stop(at, "the end of the file");
    return undefined;
  } catch (error) {
    if (error instanceof RangeError) return undefined;
    if (!(error instanceof Stop)) throw error;
    const before = text.slice(0, error.at).split("\n");
    return { line: before.length, column: before.at(-1)!.length + 1, expected: error.expected };
  }
}
