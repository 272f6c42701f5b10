import { EntityDecoder } from "@nodable/entities";
import { XMLBuilder, XMLParser, XMLValidator } from "fast-xml-parser";

/** Levels of nesting an XML body may have, its root included. */
export const MAX_DEPTH = 8;
/**
 * Elements an XML body may have, its root included: an order has 27 fields, and
 * unknown ones are ignored, so a client sending a few more still fits. Counted
 * before anything is parsed, since parsing is what a large body makes costly.
 */
export const MAX_ELEMENTS = 100;

const parser = new XMLParser({
  ignoreAttributes: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  removeNSPrefix: true,
  // v1 values are text; "00123" must stay "00123".
  parseTagValue: false,
  // The five XML entities and numeric references; no HTML names, and no
  // declared entities since a DOCTYPE never gets this far.
  entityDecoder: new EntityDecoder({ numericAllowed: true }),
  // A flat order is two levels deep; a little room for wrappers, no room for bombs.
  // The parser counts the levels below the root: 7 of them make the 8 the README allows.
  maxNestedTags: MAX_DEPTH - 1,
  // No callback here reads tag paths; building them cost a sixth of a parse (measured).
  jPath: false,
});

const builder = new XMLBuilder({});

// A DOCTYPE is the only way to declare entities or point at external resources;
// a v1 order never needs one, so it is refused before the parser sees it.
const DECLARATION = /<!(DOCTYPE|ENTITY)/i;

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

/**
 * The content of the single root element, whatever the root is called: an
 * object of its children for a v1 order. Repeated or nested children come back
 * as arrays or objects, for the validation to refuse by field name.
 */
export function parseXmlRoot(text: string): unknown {
  if (DECLARATION.test(text)) throw new XmlRefused("XML bodies may not contain a DOCTYPE or entity declarations.");
  if (hasMoreElementsThan(text, MAX_ELEMENTS)) throw new XmlRefused(`XML bodies may have at most ${MAX_ELEMENTS} elements.`);
  // The validator also insists on exactly one root element.
  const validation = XMLValidator.validate(text);
  if (validation !== true) {
    throw new XmlRefused(`The body is not well-formed XML: ${validation.err.msg} (line ${validation.err.line}).`);
  }
  let document: Record<string, unknown>;
  try {
    document = parser.parse(text);
  } catch (error) {
    throw new XmlRefused(`The XML body cannot be read: ${error instanceof Error ? error.message : String(error)}.`);
  }
  const root = Object.values(document)[0];
  // <order/> is an order with no fields, which the validation then lists.
  return root === "" ? {} : root;
}

/** `<root>…</root>` from a plain object; arrays become repeated elements. */
export function buildXml(root: string, value: unknown): string {
  return builder.build({ [root]: value });
}
