import type { ClientCounts } from "./store.js";

// The rules of the clients view that the memory and SQLite backends keep; the
// Redis backend restates them in Lua (redis/clients-view.ts's shimMergeClients).

/** Two counts of one caller as one: counts added, first and last seen widened. */
export function mergeCounts(entry: ClientCounts, delta: ClientCounts): ClientCounts {
  const counts = { ...entry.counts };
  for (const [name, n] of Object.entries(delta.counts)) counts[name] = (counts[name] ?? 0) + n;
  return {
    ...entry,
    first_seen: Math.min(entry.first_seen, delta.first_seen),
    last_seen: Math.max(entry.last_seen, delta.last_seen),
    counts,
  };
}
