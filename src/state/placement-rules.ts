import type { Claim, Placement, PlacementCursor, PlacementOutcome, PlacementState } from "./store.js";

// The rules of the order ledger that every backend keeps: the memory and SQLite
// backends call these inside their atomic step; the Redis backend restates them in
// Lua (redis/ledger.ts, each script naming the rules it restates), since a script
// cannot call JavaScript. test/state/ledger.contract.ts holds the three to them.

/** A refused or failed placement made nothing: its fingerprint leaves the window, and a reused id may be placed again. */
export const madeNothing = (state: PlacementState): boolean => state === "refused" || state === "failed";

/** What admitting a placement does. */
export type AdmissionStep =
  | { kind: "write" }
  /** Its id's earlier placement made nothing, for the same order: placed again under that id. */
  | { kind: "reopen" }
  | { kind: "earlier"; placement: Placement };

/**
 * `sameId`: the record that already holds the incoming placement's id (an
 * Idempotency-Key's); `inWindow`: the newest placement with its fingerprint created
 * inside the window that did not make nothing.
 */
export function admissionStep(incoming: Placement, sameId: Placement | undefined, inWindow: Placement | undefined): AdmissionStep {
  if (sameId) {
    return sameId.fingerprint === incoming.fingerprint && madeNothing(sameId.state)
      ? { kind: "reopen" }
      : { kind: "earlier", placement: sameId };
  }
  return inWindow ? { kind: "earlier", placement: inWindow } : { kind: "write" };
}

/** Whether `p` stands in the window that began at `since`. */
export const liveSince = (p: Placement, since: number): boolean => p.created_at >= since && !madeNothing(p.state);

/** The fields a placement opened again takes from the request that does so. */
export const reopened = (incoming: Placement) => ({
  state: "placing" as const,
  req_id: incoming.req_id,
  v2_order_id: null,
  v2_status: null,
  owner: incoming.owner,
  lease_until: incoming.lease_until,
  updated_at: incoming.updated_at,
});

/** The fields a settled placement takes. */
export const settled = (outcome: PlacementOutcome) => ({
  state: outcome.state,
  v2_order_id: outcome.v2_order_id,
  v2_status: outcome.v2_status,
  lease_until: null,
  updated_at: outcome.at,
});

/** A placing record whose lease ran out: its replica died with the order in flight. */
export const isAbandoned = (p: Placement, now: number): boolean => p.state === "placing" && p.lease_until !== null && p.lease_until < now;

/** What an abandoned placement becomes: nobody knows whether v2 made it. */
export const abandoned = (now: number) => ({ state: "unknown" as const, lease_until: null, v2_status: "abandoned", updated_at: now });

/** An unknown record, or a placing one its holder left (or `owner` holds already), may be taken over. */
export const claimable = (p: Placement, owner: string, now: number): boolean =>
  p.state === "unknown" || (p.state === "placing" && (p.owner === owner || p.lease_until === null || p.lease_until < now));

/** The fields a claimed record takes. */
export const claimed = ({ owner, leaseUntil, now }: Claim) => ({
  state: "placing" as const,
  owner,
  lease_until: leaseUntil,
  updated_at: now,
});

/** True when `p` comes after the cursor in the listing's order (newest first, then id descending). */
export const isAfterCursor = (p: Pick<Placement, "created_at" | "alternative_order_id">, cursor: PlacementCursor | undefined): boolean =>
  !cursor ||
  p.created_at < cursor.created_at ||
  (p.created_at === cursor.created_at && p.alternative_order_id < cursor.alternative_order_id);
