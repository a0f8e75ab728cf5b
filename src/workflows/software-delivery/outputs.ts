/**
 * What each role hands in (requirements, plan, code summary with test cases, test report, review
 * verdict, deployment result), the submission that carries it, and where a given piece of work leads.
 */
import type { z } from 'zod';
import { forwardSuccessor, isAllowed, orderOf, retryTargets, type DeliveryState, type RoleState } from './states.js';
import { storedSubmission, type RoleOutput } from './contracts.js';

// The role outputs are declared once, in the contracts (the dashboard and the checked reads use them too).
export { DeploymentResult, Implementation, Plan, Requirements, ReviewVerdict, ROLE_OUTPUTS, TestCase, TestReport, TestResult } from './contracts.js';
export type { RoleOutput } from './contracts.js';

/** The state a role's output leads to when nobody names another: the forward successor, or back/ERROR for a setback. */
export function outcomeOf(state: RoleState, output: unknown): DeliveryState {
  if (state === 'TESTING' && (output as RoleOutput<'TESTING'>).failed > 0) return 'IMPLEMENTATION';
  if (state === 'VERIFICATION' && (output as RoleOutput<'VERIFICATION'>).verdict === 'changes_requested') return 'IMPLEMENTATION';
  if (state === 'DEPLOYMENT' && (output as RoleOutput<'DEPLOYMENT'>).status === 'failed') return 'ERROR';
  return forwardSuccessor(state) ?? 'ERROR';
}

/**
 * What closes a role state, from a person (`advance` / `request-retry`) or an agent alike:
 * `advance` hands in the role's output (or, to ERROR, at least a reason); `retry` sends the
 * work back with reasons. `at` orders submissions across states (the latest feedback wins).
 */
export const submissionFor = (state: RoleState) =>
  storedSubmission(state).superRefine((s, ctx) => {
    if (!isAllowed(state, s.to_state)) ctx.addIssue({ code: 'custom', path: ['to_state'], message: `${state} may not move to ${s.to_state}` });
    if (s.action === 'retry' && !retryTargets(state).includes(s.to_state)) {
      ctx.addIssue({ code: 'custom', path: ['to_state'], message: `${state} has no retry path to ${s.to_state}` });
    }
    if (s.action === 'advance' && s.to_state !== 'ERROR' && s.output === undefined) ctx.addIssue({ code: 'custom', path: ['output'], message: 'is required' });
    if (s.action === 'advance' && s.to_state !== 'ERROR' && s.output !== undefined && outcomeOf(state, s.output) !== s.to_state) {
      ctx.addIssue({ code: 'custom', path: ['to_state'], message: `this ${state} output leads to ${outcomeOf(state, s.output)}, not ${s.to_state}` });
    }
    if (s.action === 'advance' && s.to_state === 'ERROR' && s.output === undefined && !s.reason) {
      ctx.addIssue({ code: 'custom', path: ['reason'], message: 'a move to ERROR needs a reason or an output' });
    }
  });

export type Submission = z.output<ReturnType<typeof submissionFor>>;

/** What went wrong, in a submission that sends work back or fails: retry reasons, failed tests, review findings, the reason given. */
export function setbacksOf(s: Submission): string[] {
  if (s.action === 'retry') return s.reasons;
  const report = s.output as { failures?: { test: string; message: string }[]; findings?: string[] } | undefined;
  return [...(report?.failures?.map((f) => `${f.test}: ${f.message}`) ?? []), ...(report?.findings ?? []), ...(s.reason ? [s.reason] : [])];
}

/** Why a submission moves the run where it does, in one line for the event log and the audit trail. */
export function reasonOf(state: RoleState, s: Submission): string {
  if (s.to_state === 'ERROR') return `critical failure in ${state}: ${failureReason(s)}`;
  if (orderOf(s.to_state) < orderOf(state)) return `${state} sends the work back to ${s.to_state}: ${setbacksOf(s).join('; ') || 'no reason given'}`;
  return `${state} done → ${s.to_state}`;
}

/** Why a submission to ERROR failed: the reasons given, else the output's notes. */
export function failureReason(s: Submission): string {
  const notes = s.action === 'advance' ? (s.output as { notes?: unknown } | undefined)?.notes : undefined;
  return setbacksOf(s).join('; ') || (typeof notes === 'string' && notes !== '' ? notes : 'reported failed');
}

/** What the testing gate found wrong with a report: the handed-over test cases it leaves out, and the fields that say so. */
export interface TestGateFinding {
  missing: string[];
  issues: { path: string; message: string }[];
}

/**
 * The testing gate: a report must account for every test case IMPLEMENTATION handed over, each
 * passed, failed or explained (in `results`; a test named in `failures` counts as failed), and its
 * counts must cover the outcomes it names, so `{passed: 0, failed: 0}` cannot wave a change through.
 * Null when the report passes the gate.
 */
export function testGate(handedOver: readonly { name: string }[], report: RoleOutput<'TESTING'>): TestGateFinding | null {
  const outcomes = new Map<string, 'passed' | 'failed' | 'explained'>();
  for (const r of report.results) outcomes.set(r.test, r.outcome);
  for (const f of report.failures) outcomes.set(f.test, 'failed');
  const missing = [...new Set(handedOver.map((c) => c.name))].filter((name) => !outcomes.has(name));
  const issues: { path: string; message: string }[] = [];
  if (missing.length > 0) {
    issues.push({
      path: 'output.results',
      message: `${missing.length} test case(s) handed over are not accounted for: ${missing.map((m) => `"${m}"`).join(', ')} (report each as passed, failed or explained)`,
    });
  }
  const named = (outcome: string) => [...outcomes.values()].filter((o) => o === outcome).length;
  if (report.passed < named('passed'))
    issues.push({ path: 'output.passed', message: `is ${report.passed}, but ${named('passed')} test case(s) are reported passed` });
  if (report.failed < named('failed'))
    issues.push({ path: 'output.failed', message: `is ${report.failed}, but ${named('failed')} test case(s) are reported failed` });
  return issues.length === 0 ? null : { missing, issues };
}
