/**
 * Deterministic stand-ins for the five roles, for tests and the demo: each derives its output from
 * the change and the earlier outputs, and goes wrong exactly as the run's script says (the first
 * N test rounds fail, the first N reviews ask for changes, the first N deployments fail). The same
 * input always gives the same output, so a step repeated after a crash changes nothing.
 */
import type { RoleContext } from '../context.js';
import type { OfflineScript } from '../parameters.js';
import type { RoleOutput } from '../outputs.js';
import type { RoleState } from '../states.js';
import type { z } from 'zod';
import { earlierOutput } from '../checked.js';

export interface RoleWork {
  state: RoleState;
  round: number;
  script: z.output<typeof OfflineScript>;
  context: RoleContext;
}

const sentences = (text: string): string[] =>
  text
    .split(/(?<=[.;!?])\s+|\n+/)
    .map((s) => s.trim().replace(/[.;!?]+$/, ''))
    .filter((s) => s.length > 0);

const slug = (title: string): string =>
  title
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 40) || 'change';

function discovery(work: RoleWork): RoleOutput<'DISCOVERY'> {
  const { title, description } = work.context.change;
  const requirements = sentences(description);
  return {
    summary: title,
    requirements: requirements.length > 0 ? requirements : [title],
    acceptance_criteria: (requirements.length > 0 ? requirements : [title]).map((r) => `after the change: ${r}`),
    open_questions: [],
  };
}

function planning(work: RoleWork): RoleOutput<'PLANNING'> {
  const requirements = earlierOutput('DISCOVERY', work.context.earlier.DISCOVERY)?.requirements ?? [work.context.change.title];
  const steps = [...requirements.map((r, i) => `step ${i + 1}: ${r}`), 'write a test for every acceptance criterion'];
  return { steps, risks: ['behaviour relied on by other modules may change'], estimate_hours: 2 * steps.length };
}

function implementation(work: RoleWork): RoleOutput<'IMPLEMENTATION'> {
  const criteria = earlierOutput('DISCOVERY', work.context.earlier.DISCOVERY)?.acceptance_criteria ?? [work.context.change.title];
  const name = slug(work.context.change.title);
  const latest = work.context.feedback[0];
  const fixing = latest ? ` (round ${work.round}, addressing ${latest.from_state}: ${latest.reasons.join('; ') || 'sent back'})` : '';
  return {
    code_summary: `implements "${work.context.change.title}"${fixing}`,
    files_changed: [`src/${name}.ts`, `test/${name}.test.ts`],
    test_cases: criteria.map((checks, i) => ({ name: `${name} criterion ${i + 1}`, checks })),
  };
}

function testing(work: RoleWork): RoleOutput<'TESTING'> {
  const cases = earlierOutput('IMPLEMENTATION', work.context.earlier.IMPLEMENTATION)?.test_cases ?? [];
  const failing = work.round <= work.script.test_failures ? cases.slice(0, 1) : [];
  return {
    passed: cases.length - failing.length,
    failed: failing.length,
    failures: failing.map((c) => ({ test: c.name, message: `expected: ${c.checks} (scripted failure, test round ${work.round})` })),
    results: cases.map((c) => (failing.includes(c) ? { test: c.name, outcome: 'failed' as const } : { test: c.name, outcome: 'passed' as const })),
    notes: `ran ${cases.length} test case(s), round ${work.round}`,
  };
}

function verification(work: RoleWork): RoleOutput<'VERIFICATION'> {
  if (work.round <= work.script.review_rejections) {
    return {
      verdict: 'changes_requested',
      findings: [`review round ${work.round}: error handling for "${work.context.change.title}" is missing`],
      notes: 'scripted rejection',
    };
  }
  return { verdict: 'approve', findings: [], notes: `requirements, plan, code and tests agree (review round ${work.round})` };
}

function deployment(work: RoleWork): RoleOutput<'DEPLOYMENT'> {
  const version = `${slug(work.context.change.title)}-${work.round}`;
  if (work.round <= work.script.deployment_failures) {
    return { status: 'failed', environment: 'production', version, notes: `health check failed after deploying ${version} (scripted failure)` };
  }
  return { status: 'succeeded', environment: 'production', version, notes: `deployed ${version}; health check passed` };
}

const WORK: { [S in RoleState]: (work: RoleWork) => RoleOutput<S> } = {
  DISCOVERY: discovery,
  PLANNING: planning,
  IMPLEMENTATION: implementation,
  TESTING: testing,
  VERIFICATION: verification,
  DEPLOYMENT: deployment,
};

export const offlineOutput = (work: RoleWork): unknown => WORK[work.state](work);
