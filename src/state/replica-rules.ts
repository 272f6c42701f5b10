import type { ReplicaBeat } from "./store.js";

// The order of replicas' beats, which the memory and Redis backends sort by and
// SQLite's query restates (ORDER BY at DESC, replica).

/** Beats in the order replicas() gives them: the latest first, ties by replica id. */
export const latestFirst = (beats: ReplicaBeat[]): ReplicaBeat[] =>
  beats.sort((a, b) => b.at - a.at || (a.replica < b.replica ? -1 : a.replica > b.replica ? 1 : 0));
