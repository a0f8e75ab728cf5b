// Checked reads of stored plans and phase results: a body that does not match its contract fails naming the run, the plan kind, the revision and the path.
import { describe, expect, it } from 'vitest';
import { phaseOutput, phaseResult, planBody, planBodyOrNone } from '../../../src/workflows/season-planning/checked.js';

const replenishment = { runId: 'run-1', kind: 'replenishment', revision: 3, body: { week: 3, moves: [{ store_id: 'S01', units: 4 }] } };

describe('checked reads of season planning data', () => {
  it('returns a matching body typed by its contract', () => {
    expect(planBody('replenishment', replenishment).moves[0]!.units).toBe(4);
    expect(planBodyOrNone('forecast', undefined)).toBeUndefined();
  });

  it('refuses a body that does not match, naming the run, the kind, the revision and the path', () => {
    const broken = { ...replenishment, body: { week: 3, moves: [{ store_id: 'S01', units: 'four' }] } };
    let caught: unknown;
    try {
      planBody('replenishment', broken);
    } catch (error) {
      caught = error;
    }
    expect(caught).toMatchObject({
      code: 'INTERNAL_ERROR',
      message: expect.stringMatching(/^run "run-1" replenishment plan revision 3 does not match its contract: moves\.0\.units /) as unknown,
      details: { run_id: 'run-1', kind: 'replenishment', revision: 3, issues: [{ path: 'moves.0.units' }] },
    });
  });

  it("reads a phase's result from the run's context, undefined before the phase ran", () => {
    const context = { runId: 'run-1', results: { week_end: { week: 2, weeks_left: 6, explanation: 'Week 2 closed; 6 to go.' } } };
    expect(phaseResult(context, 'week_end')?.weeks_left).toBe(6);
    expect(phaseResult(context, 'monitor')).toBeUndefined();
    // A skipped phase's step records why it was skipped: no result to read.
    expect(
      phaseResult({ runId: 'run-1', results: { markdown_check: { skipped: true, reason: 'no markdown checkpoint in this season' } } }, 'markdown_check'),
    ).toBeUndefined();
    expect(() => phaseResult({ runId: 'run-1', results: { monitor: { week: 1 } } }, 'monitor')).toThrow(
      /run "run-1" monitor result does not match its contract: actual /,
    );
    expect(() => phaseOutput('markdown_approval', { action: 'maybe' })).toThrow(/markdown_approval result does not match its contract: action /);
  });
});
