import { z } from "zod";

const MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];

/** What legacyDate writes. */
export const legacyDateSchema = z
  .string()
  .regex(new RegExp(`^\\d{2}-(${MONTHS.join("|")})-\\d{4}$`))
  .meta({ description: "A date as DD-MON-YYYY, such as 04-MAR-2026." });

/**
 * v2's `2026-03-04` or `2026-03-04T17:19:12+00:00` → v1's `04-MAR-2026`. The date
 * is taken as written: v2 writes its times in UTC. Undefined for anything else.
 */
export function legacyDate(v2Date: string | undefined): string | undefined {
  const match = v2Date?.match(/^(\d{4})-(\d{2})-(\d{2})(?:$|T)/);
  const month = match ? MONTHS[Number(match[2]) - 1] : undefined;
  return match && month ? `${match[3]}-${month}-${match[1]}` : undefined;
}
