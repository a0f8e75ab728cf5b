import { describe, expect, it } from 'vitest';
import { approversFromEnv, DEFAULT_APPROVERS, withApprovers } from '../../../src/workflows/season-planning/approvers.js';
import { seasonPlanningWorkflow } from '../../../src/workflows/season-planning/workflow.js';
import { BatonError } from '../../../src/errors/index.js';

describe('season approvers', () => {
  it('default to one buyer for the buy and for the markdown', () => {
    expect(approversFromEnv({})).toEqual(DEFAULT_APPROVERS);
    expect(approversFromEnv({ BATON_BUY_APPROVERS: '  ' })).toEqual({ buy: ['buyer'], markdown: ['buyer'], selfApproval: true });
  });

  it('read a comma list of roles per approval', () => {
    expect(approversFromEnv({ BATON_BUY_APPROVERS: 'buyer, merchandiser', BATON_MARKDOWN_APPROVERS: 'pricing' })).toEqual({
      buy: ['buyer', 'merchandiser'],
      markdown: ['pricing'],
      selfApproval: true,
    });
    expect(approversFromEnv({ BATON_SELF_APPROVAL: 'forbid' }).selfApproval).toBe(false);
    expect(() => approversFromEnv({ BATON_SELF_APPROVAL: 'no' })).toThrow(/BATON_SELF_APPROVAL is invalid/);
  });

  it('refuse a malformed list naming the setting', () => {
    const attempt = () => approversFromEnv({ BATON_BUY_APPROVERS: 'buyer,,Merch Lead' });
    expect(attempt).toThrow(BatonError);
    expect(attempt).toThrow(/BATON_BUY_APPROVERS is invalid/);
    expect(attempt).toThrow(/role 2 is empty/);
    expect(attempt).toThrow(/role 3 "Merch Lead": lower-case letters/);
  });

  it('put the roles on both approval phases as a quorum and leave other phases alone', () => {
    const workflow = withApprovers(seasonPlanningWorkflow, { buy: ['buyer', 'merchandiser'], markdown: ['pricing'], selfApproval: true });
    const policyOf = (name: string) => {
      const phase = workflow.phases.find((p) => p.name === name);
      return phase && 'wait' in phase ? phase.wait?.policy : undefined;
    };
    expect(policyOf('manufacturing_approval')).toEqual({ quorum: ['buyer', 'merchandiser'] });
    expect(policyOf('markdown_approval')).toEqual({ quorum: ['pricing'] });
    expect(policyOf('week_actuals')).toBeUndefined();
    expect(workflow.phases.map((p) => p.name)).toEqual(seasonPlanningWorkflow.phases.map((p) => p.name));
    const strict = withApprovers(seasonPlanningWorkflow, { ...DEFAULT_APPROVERS, selfApproval: false });
    const strictPhase = strict.phases.find((p) => p.name === 'manufacturing_approval');
    expect(strictPhase && 'wait' in strictPhase ? strictPhase.wait?.policy : undefined).toEqual({ quorum: ['buyer'], not_starter: true });
  });
});
