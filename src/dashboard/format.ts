// Times, durations and numbers in a reader's form, for the page: pure, the clock given.

/** "1 y 20 d", "3 d 4 h", "5 h 2 min", "40 s": how long, to read at a glance. */
export function ageText(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s} s`;
  const min = Math.floor(s / 60);
  if (min < 60) return `${min} min`;
  const h = Math.floor(min / 60);
  if (h < 24) return `${h} h ${min % 60} min`;
  const d = Math.floor(h / 24);
  if (d < 365) return `${d} d ${h % 24} h`;
  return `${Math.floor(d / 365)} y ${d % 365} d`;
}

/** "4 min ago", or "in 3 d 2 h" for a time still to come. */
export const relativeText = (at: number, now: number): string => (at <= now ? `${ageText(now - at)} ago` : `in ${ageText(at - now)}`);

/** ISO 8601 to the second, for machines and a `title`: "2026-03-10T15:30:05Z". */
export const isoText = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");

/** A date to read: "2026-03-10 15:30 UTC". */
export const dateText = (ms: number): string => `${new Date(ms).toISOString().slice(0, 16).replace("T", " ")} UTC`;

/** An order's time: "420 ms", "2.1 s", "14 s", "1 min 5 s". */
export function durationText(ms: number): string {
  if (ms < 1_000) return `${Math.max(1, Math.round(ms))} ms`;
  if (ms < 10_000) return `${(ms / 1_000).toFixed(1)} s`;
  if (ms < 60_000) return `${Math.round(ms / 1_000)} s`;
  const s = Math.round(ms / 1_000);
  return `${Math.floor(s / 60)} min ${s % 60} s`;
}

/** "42 %", "< 1 %" for a share above nothing that rounds to none, "—" for none to tell. */
export function shareText(share: number | null): string {
  if (share === null) return "—";
  const percent = Math.round(share * 100);
  return percent === 0 && share > 0 ? "< 1 %" : `${percent} %`;
}

/** A count with thousands apart: "12,345". */
export const countText = (n: number): string => n.toLocaleString("en-US");

/** An axis value: "950", "1,500", "12k". */
export const compactCount = (n: number): string => (n >= 10_000 ? `${Math.round(n / 1_000)}k` : countText(n));

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
/** A UTC day, short: "9 Mar". */
export const dayText = (ms: number): string => {
  const date = new Date(ms);
  return `${date.getUTCDate()} ${MONTHS[date.getUTCMonth()]}`;
};
