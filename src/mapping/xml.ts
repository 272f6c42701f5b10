import { XMLBuilder } from "fast-xml-parser";
import { SaxesParser } from "saxes";

/** Levels of nesting an XML body may have, its root included. */
export const MAX_DEPTH = 8;
/**
 * Elements an XML body may have, its root included: an order has 27 fields, and
 * unknown ones are ignored, so a client sending a few more still fits. Counted
 * before anything is parsed, since parsing is what a large body makes costly.
 */
export const MAX_ELEMENTS = 100;

const builder = new XMLBuilder({});

// A DOCTYPE is the only way to declare entities or point at external resources;
// a v1 order never needs one, so it is refused before the parser sees it.
const DECLARATION = /<!(DOCTYPE|ENTITY)/i;

// saxes's words for the errors the fixtures show a client, in the words the
// shim has always answered them with; other errors keep saxes's own words.
const OWN_WORDS: ReadonlyArray<readonly [RegExp, (match: RegExpMatchArray) => string]> = [
  [/^unclosed tag: (.*)$/, (match) => `Unclosed tag '${match[1]}'.`],
  [/^document must contain a root element\.$/, () => "Start tag expected."],
  [/^documents may contain only one root\.$/, () => "Multiple possible root nodes found."],
];

function wording(message: string): string {
  for (const [pattern, words] of OWN_WORDS) {
    const match = message.match(pattern);
    if (match) return words(match);
  }
  return message.charAt(0).toUpperCase() + message.slice(1);
}

export class XmlRefused extends Error {}

/** More than `max` start tags (`<` and a name), found without parsing: one pass of indexOf. */
function hasMoreElementsThan(text: string, max: number): boolean {
  let count = 0;
  for (let at = text.indexOf("<"); at !== -1; at = text.indexOf("<", at + 1)) {
    const next = text.charCodeAt(at + 1);
    // Not an end tag (/), a comment, CDATA or declaration (!), nor a processing instruction (?).
    if (next !== 47 && next !== 33 && next !== 63 && ++count > max) return true;
  }
  return false;
}

/** An element being read: its text so far, and its children once it has any. */
interface Open {
  readonly name: string;
  text: string;
  children: Record<string, unknown> | undefined;
}

/** `v1:org_name` is `org_name`: namespace prefixes are ignored. */
const localName = (name: string) => name.slice(name.indexOf(":") + 1);

/** A child element's value, added to its parent; a repeated one makes a list. */
function addChild(parent: Open, name: string, value: unknown): void {
  parent.children ??= {};
  const earlier = parent.children[name];
  if (earlier === undefined) parent.children[name] = value;
  else if (Array.isArray(earlier)) earlier.push(value);
  else parent.children[name] = [earlier, value];
}

/** Text for an element of text only; the object of its children otherwise (its text between them is not a value). */
const contentOf = (element: Open): unknown => element.children ?? element.text.trim();

/**
 * The content of the single root element, whatever the root is called: an
 * object of its children for a v1 order. Repeated or nested children come back
 * as arrays or objects, for the validation to refuse by field name. Read by
 * saxes, a strict parser: an undefined entity, `&#0;` or a control character is
 * not well-formed XML, and is refused.
 */
export function parseXmlRoot(text: string): unknown {
  if (DECLARATION.test(text)) throw new XmlRefused("XML bodies may not contain a DOCTYPE or entity declarations.");
  if (hasMoreElementsThan(text, MAX_ELEMENTS)) throw new XmlRefused(`XML bodies may have at most ${MAX_ELEMENTS} elements.`);
  const parser = new SaxesParser();
  const open: Open[] = [];
  let root: unknown;
  parser.on("error", (error) => {
    // saxes prefixes its messages with line:column; the line is said at the end, as before.
    const message = error.message.replace(/^\d+:\d+: /, "");
    throw new XmlRefused(`The body is not well-formed XML: ${wording(message)} (line ${parser.line}).`);
  });
  parser.on("opentag", (tag) => {
    if (open.length === MAX_DEPTH) throw new XmlRefused("The XML body cannot be read: Maximum nested tags exceeded.");
    open.push({ name: localName(tag.name), text: "", children: undefined });
  });
  parser.on("text", (chunk) => {
    const element = open.at(-1);
    if (element) element.text += chunk;
  });
  parser.on("cdata", (chunk) => {
    const element = open.at(-1);
    if (element) element.text += chunk;
  });
  parser.on("closetag", () => {
    const element = open.pop();
    if (!element) return;
    const parent = open.at(-1);
    if (parent) addChild(parent, element.name, contentOf(element));
    else root = contentOf(element);
  });
  parser.write(text).close();
  // <order/> is an order with no fields, which the validation then lists.
  return root === "" ? {} : root;
}

/** `<root>…</root>` from a plain object; arrays become repeated elements. */
export function buildXml(root: string, value: unknown): string {
  return builder.build({ [root]: value });
}
