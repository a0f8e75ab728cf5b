/**
 * Who approves a season's buy and its markdown: the roles an approval needs, one approval per role,
 * each from a different person. Set with BATON_BUY_APPROVERS and BATON_MARKDOWN_APPROVERS (comma
 * lists of roles, default `buyer`): `buyer,merchandiser` makes the buy a two-person decision.
 * BATON_SELF_APPROVAL=forbid keeps whoever started the season from approving its buy or markdown.
 */
import { z } from 'zod';
import { RoleName } from '../../actors/contracts.js';
import type { Phase, WorkflowDefinition } from '../../engine/index.js';
import { InvalidParametersError } from '../../errors/index.js';

export interface SeasonApprovers {
  /** The manufacturing quantity's approval. */
  buy: readonly string[];
  /** The markdown checkpoint's approval. */
  markdown: readonly string[];
  /** Whether the person who started the season may approve it (separation of duties when false). */
  selfApproval: boolean;
}

export const DEFAULT_APPROVERS: SeasonApprovers = { buy: ['buyer'], markdown: ['buyer'], selfApproval: true };

const roleList = z
  .string()
  .transform((text) => text.split(',').map((role) => role.trim()))
  .pipe(z.array(RoleName).min(1, 'name at least one role').max(8, 'at most 8 approvals'));

const SETTINGS = { buy: 'BATON_BUY_APPROVERS', markdown: 'BATON_MARKDOWN_APPROVERS' } as const;

/** Reads the two settings (unset or empty: the default); a malformed list is refused naming the setting. */
export function approversFromEnv(env: Readonly<Record<string, string | undefined>>): SeasonApprovers {
  const read = (which: keyof typeof SETTINGS): readonly string[] => {
    const raw = env[SETTINGS[which]];
    if (raw === undefined || raw.trim() === '') return DEFAULT_APPROVERS[which];
    const parsed = roleList.safeParse(raw);
    if (!parsed.success) {
      const entries = raw.split(',').map((role) => role.trim());
      // Name the entry a person typed ("role 3 \"Merch Lead\""), not zod's index path.
      const where = (path: readonly PropertyKey[]): string => {
        const index = typeof path[0] === 'number' ? path[0] : undefined;
        return index === undefined ? '' : entries[index] === '' ? `role ${index + 1} is empty: ` : `role ${index + 1} "${entries[index]}": `;
      };
      throw new InvalidParametersError(
        `${SETTINGS[which]} is invalid`,
        parsed.error.issues.map((issue) => ({ path: SETTINGS[which], message: `${where(issue.path)}${issue.message}` })),
      );
    }
    return parsed.data;
  };
  const self = (env.BATON_SELF_APPROVAL ?? '').trim();
  if (self !== '' && self !== 'allow' && self !== 'forbid') {
    throw new InvalidParametersError('BATON_SELF_APPROVAL is invalid', [{ path: 'BATON_SELF_APPROVAL', message: `"${self}" is not allow or forbid` }]);
  }
  return { buy: read('buy'), markdown: read('markdown'), selfApproval: self !== 'forbid' };
}

const APPROVAL_PHASES: Readonly<Record<string, 'buy' | 'markdown'>> = { manufacturing_approval: 'buy', markdown_approval: 'markdown' };

/** The workflow with each approval phase requiring its roles (a quorum: one approval per role, distinct people). */
export function withApprovers<P>(workflow: WorkflowDefinition<P>, approvers: SeasonApprovers): WorkflowDefinition<P> {
  const phases = workflow.phases.map((phase): Phase<P> => {
    const which = APPROVAL_PHASES[phase.name];
    if (which === undefined || !('wait' in phase) || phase.wait === undefined) return phase;
    const policy = { quorum: [...approvers[which]], ...(approvers.selfApproval ? {} : { not_starter: true }) };
    return { ...phase, wait: { ...phase.wait, policy } };
  });
  return { ...workflow, phases };
}
