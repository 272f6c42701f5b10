import { MONTHS } from "../contract/v1-answers.js";

/**
 * v2's `2026-03-04` or `2026-03-04T17:19:12+00:00` → v1's `04-MAR-2026`. The date
 * is taken as written: v2 writes its times in UTC. Undefined for anything else.
 */
export function legacyDate(v2Date: string | undefined): string | undefined {
  const match = v2Date?.match(/^(\d{4})-(\d{2})-(\d{2})(?:$|T)/);
  const month = match ? MONTHS[Number(match[2]) - 1] : undefined;
  return match && month ? `${match[3]}-${month}-${match[1]}` : undefined;
}
