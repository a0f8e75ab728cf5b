// Quorum roles by bipartite matching: every voter one role they hold, every role one voter, votes moved only when another voter needs their role.
import { describe, expect, it } from 'vitest';
import { assignRoles } from '../../../src/engine/quorum.js';

const QUORUM = ['lead-builder', 'champion'];

describe('assigning quorum roles', () => {
  it('gives each voter a role they hold and lists the roles nobody fills yet', () => {
    expect(assignRoles(QUORUM, [])).toEqual({ roles: [], remaining: QUORUM });
    expect(assignRoles(QUORUM, [{ holds: ['champion'] }])).toEqual({ roles: ['champion'], remaining: ['lead-builder'] });
  });

  it('moves a voter holding both roles to the other one, so a voter holding only the first is not blocked', () => {
    const first = assignRoles(QUORUM, [{ holds: QUORUM }]);
    expect(first.roles).toEqual(['lead-builder']);
    expect(assignRoles(QUORUM, [{ holds: QUORUM, role: 'lead-builder' }, { holds: ['lead-builder'] }])).toEqual({
      roles: ['champion', 'lead-builder'],
      remaining: [],
    });
  });

  it('keeps votes where they are when nobody needs them moved', () => {
    expect(assignRoles(QUORUM, [{ holds: QUORUM, role: 'champion' }, { holds: QUORUM }]).roles).toEqual(['champion', 'lead-builder']);
  });

  it('finds no assignment when a voter holds only roles others cannot give up, and leaves the roles still needed as they were', () => {
    const result = assignRoles(QUORUM, [{ holds: ['lead-builder'], role: 'lead-builder' }, { holds: ['lead-builder'] }]);
    expect(result.roles).toBeUndefined();
    expect(result.remaining).toEqual(['champion']);
    expect(assignRoles(QUORUM, [{ holds: [] }]).roles).toBeUndefined();
  });

  it('counts a role listed twice as two seats for two different voters', () => {
    expect(assignRoles(['reviewer', 'reviewer'], [{ holds: ['reviewer'] }, { holds: ['reviewer'] }])).toEqual({
      roles: ['reviewer', 'reviewer'],
      remaining: [],
    });
    expect(assignRoles(['reviewer', 'reviewer'], [{ holds: ['reviewer'] }, { holds: ['reviewer'] }, { holds: ['reviewer'] }]).roles).toBeUndefined();
  });
});
