import { z } from "zod";
import type { Format } from "../contract/media-types.js";
import { v1Errors } from "../contract/v1-errors.js";
import { parseXmlRoot, XmlRefused } from "./xml.js";

// Only the order's known fields are read from it (and copied) later, so an object is all
// this asks; a record schema would copy every key first.
const fieldsSchema = z.custom<Record<string, unknown>>((value) => typeof value === "object" && value !== null && !Array.isArray(value));

/** The flat v1 fields of a body, or a 400 when it is not an object of fields. */
export function parseFields(format: Format, text: string): Record<string, unknown> {
  let content: unknown;
  if (format === "json") {
    try {
      content = JSON.parse(text);
    } catch {
      throw v1Errors.malformedBody("The body is not valid JSON.");
    }
  } else {
    try {
      content = parseXmlRoot(text);
    } catch (error) {
      if (error instanceof XmlRefused) throw v1Errors.malformedBody(error.message);
      throw error;
    }
  }
  const fields = fieldsSchema.safeParse(content);
  if (!fields.success) {
    throw v1Errors.malformedBody(
      format === "json"
        ? "The JSON body must be an object of v1 fields."
        : "The XML root element must hold the order's fields as child elements.",
    );
  }
  return fields.data;
}
