/**
 * Quorums: which role each approver fills. Every approver fills one role they hold, every role one
 * approver; the roles are assigned by bipartite matching (augmenting paths), so an approver who
 * holds two roles takes the one nobody else can fill instead of blocking the next approver.
 */

export interface QuorumVoter {
  /** The quorum's roles this voter may fill. */
  holds: readonly string[];
  /** The role the voter fills so far: tried first, so votes keep their roles unless another voter needs one. */
  role?: string;
}

export interface QuorumAssignment {
  /** The role each voter fills, in the voters' order; undefined when the voters cannot all fill distinct roles. */
  roles: string[] | undefined;
  /** The quorum's roles nobody fills yet (for duplicates, once per unfilled seat). */
  remaining: string[];
}

/** Assigns each voter a seat of the quorum (a role may be listed twice: two seats). */
export function assignRoles(quorum: readonly string[], voters: readonly QuorumVoter[]): QuorumAssignment {
  const owner: (number | undefined)[] = quorum.map(() => undefined);
  const seatsOf = (voter: QuorumVoter): number[] => {
    const seats = quorum.flatMap((role, seat) => (voter.holds.includes(role) ? [seat] : []));
    // Its current role's seats first: a matching that need not move a vote leaves it where it is.
    return [...seats.filter((s) => quorum[s] === voter.role), ...seats.filter((s) => quorum[s] !== voter.role)];
  };
  const place = (v: number, visited: Set<number>): boolean => {
    for (const seat of seatsOf(voters[v] as QuorumVoter)) {
      if (visited.has(seat)) continue;
      visited.add(seat);
      const holder = owner[seat];
      if (holder === undefined || place(holder, visited)) {
        owner[seat] = v;
        return true;
      }
    }
    return false;
  };
  let complete = true;
  for (let v = 0; v < voters.length; v++) if (!place(v, new Set())) complete = false;
  const remaining = quorum.filter((_, seat) => owner[seat] === undefined);
  if (!complete) return { roles: undefined, remaining };
  const roles: string[] = voters.map(() => '');
  owner.forEach((v, seat) => {
    if (v !== undefined) roles[v] = quorum[seat] as string;
  });
  return { roles, remaining };
}
