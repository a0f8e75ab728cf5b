// Checked reads of delivery submissions: a stored submission, a person's submit resolution and an earlier role's output are parsed by their contracts, and a mismatch names the run, the phase and the path.
import { describe, expect, it } from 'vitest';
import { agentSubmission, earlierOutput, parametersOf, submissionOf, submittedIn } from '../../../src/workflows/software-delivery/checked.js';
import { OUTPUTS } from './support.js';

const advance = { action: 'advance', to_state: 'PLANNING', output: OUTPUTS.DISCOVERY, at: 1_700_000_000_000, by: 'offline' };

describe('checked reads of delivery submissions', () => {
  it("returns an agent's submission, a person's and an earlier output typed by their contracts", () => {
    expect(submissionOf('DISCOVERY', advance, { phase: 'DISCOVERY.agent' }).to_state).toBe('PLANNING');
    expect(submittedIn('DISCOVERY', { action: 'submit', role: 'Q_ASSISTANT', data: advance }, { phase: 'DISCOVERY' })?.at).toBe(advance.at);
    expect(submittedIn('DISCOVERY', { action: 'expired', comment: 'deadline' }, { phase: 'DISCOVERY' })).toBeUndefined();
    expect(earlierOutput('DISCOVERY', OUTPUTS.DISCOVERY)?.acceptance_criteria).toEqual(['a CSV downloads', 'it has a tax column']);
    expect(earlierOutput('IMPLEMENTATION', undefined)).toBeUndefined();
    expect(agentSubmission('DISCOVERY', { skipped: true, reason: 'Q_ASSISTANT submits DISCOVERY in person' }, { phase: 'DISCOVERY.agent' })).toBeUndefined();
    expect(agentSubmission('DISCOVERY', advance, { phase: 'DISCOVERY.agent' })?.action).toBe('advance');
  });

  it('refuses a stored submission that does not match, naming the run, the phase and the path', () => {
    const broken = { ...advance, output: { ...OUTPUTS.DISCOVERY, requirements: [] } };
    expect(() => submissionOf('DISCOVERY', broken, { runId: 'run-7', phase: 'DISCOVERY.agent' })).toThrow(
      /^run "run-7" DISCOVERY\.agent submission does not match its contract: output\.requirements /,
    );
    expect(() => submittedIn('TESTING', { action: 'submit', data: { action: 'retry', to_state: 'IMPLEMENTATION', at: 1 } }, { phase: 'TESTING' })).toThrow(
      /TESTING resolution does not match its contract: data\.reasons /,
    );
    expect(() => earlierOutput('TESTING', { passed: 1 })).toThrow(/TESTING output does not match its contract: failed /);
  });
});

describe("a delivery run's parameters", () => {
  it('reads them back checked, naming the run when they do not match', () => {
    const stored = {
      project: 'acme',
      change: { title: 'Export invoices as CSV', description: 'CSV' },
      automatic_roles: ['TEST_AUDITOR'],
      agent_mode: 'offline',
    };
    expect(parametersOf({ id: 'run-9', parameters: stored }).automatic_roles).toEqual(['TEST_AUDITOR']);
    expect(() => parametersOf({ id: 'run-9', parameters: { ...stored, automatic_roles: 'all' } })).toThrow(
      /^run "run-9" \(start\) parameters does not match its contract: automatic_roles /,
    );
  });
});
