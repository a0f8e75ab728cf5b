// Shared fixtures for the software-delivery tests: an engine with the workflow on a real database, the service, and valid role outputs.
import type { Engine } from '../../../src/engine/index.js';
import type { LlmSettings } from '../../../src/llm/index.js';
import type { BatonStore } from '../../../src/store/index.js';
import { DeliveryService, softwareDelivery, type DeliveryStatus } from '../../../src/workflows/software-delivery/index.js';
import type { StoreKind } from '../../support/stores.js';
import { useHarness, type Harness } from '../../engine/runs/harness.js';

export interface DeliveryHarness {
  h: Harness;
  /** An engine with the delivery workflow on the test's database (or `store`), closed after the test. */
  open(options?: { store?: BatonStore; llm?: LlmSettings }): { engine: Engine; delivery: DeliveryService };
}

export function useDelivery(kind: StoreKind): DeliveryHarness {
  const h = useHarness(kind);
  return {
    h,
    open(options = {}) {
      const { workflow, agents } = softwareDelivery({ llm: options.llm });
      const engine = h.engine({ agents, workflows: [workflow], ...(options.store ? { store: options.store } : {}) });
      return { engine, delivery: new DeliveryService(engine) };
    },
  };
}

export const CHANGE = { title: 'Export invoices as CSV', description: 'Users can download their invoices as CSV. The export includes the tax column.' };

/** A valid output for each role state, as a person would submit it. */
export const OUTPUTS = {
  DISCOVERY: {
    summary: 'CSV export of invoices',
    requirements: ['download invoices as CSV', 'include the tax column'],
    acceptance_criteria: ['a CSV downloads', 'it has a tax column'],
  },
  PLANNING: { steps: ['add the endpoint', 'write the CSV', 'add tests'], risks: ['large accounts'], estimate_hours: 6 },
  IMPLEMENTATION: {
    code_summary: 'GET /invoices.csv streams rows',
    files_changed: ['src/invoices/export.ts'],
    test_cases: [
      { name: 'downloads', checks: 'a CSV downloads' },
      { name: 'tax', checks: 'it has a tax column' },
    ],
  },
  // Each accounts for both test cases IMPLEMENTATION hands over (the testing gate).
  TESTING_PASSED: {
    passed: 2,
    failed: 0,
    failures: [],
    results: [
      { test: 'downloads', outcome: 'passed' },
      { test: 'tax', outcome: 'passed' },
    ],
    notes: 'all green',
  },
  TESTING_FAILED: {
    passed: 1,
    failed: 1,
    failures: [{ test: 'tax', message: 'the tax column is missing' }],
    results: [{ test: 'downloads', outcome: 'passed' }],
    notes: 'one red',
  },
  VERIFICATION_APPROVED: { verdict: 'approve', findings: [], notes: 'good' },
  VERIFICATION_REJECTED: { verdict: 'changes_requested', findings: ['amounts are not rounded to cents'], notes: 'almost' },
  DEPLOYMENT_OK: { status: 'succeeded', environment: 'production', version: '1.4.0', notes: 'healthy' },
  DEPLOYMENT_FAILED: { status: 'failed', environment: 'production', version: '1.4.0', notes: 'health check failed' },
} as const;

/** Advances and waits until the run waits for the next role (or ends): handoffs run in between. */
export async function step(
  delivery: DeliveryService,
  runId: string,
  role: string,
  output: unknown,
  extra: Record<string, unknown> = {},
): Promise<DeliveryStatus> {
  await delivery.advance(runId, { role, output, ...extra } as Parameters<DeliveryService['advance']>[1]);
  return delivery.settled(runId);
}

/** Resolves with the rejection of `promise` (fails the test if it resolves). */
export async function refusal(promise: Promise<unknown>): Promise<{ code: string; httpStatus: number; details: Record<string, unknown>; message: string }> {
  try {
    await promise;
  } catch (error) {
    return error as { code: string; httpStatus: number; details: Record<string, unknown>; message: string };
  }
  throw new Error('expected a refusal, but the call succeeded');
}

/** A passing test report for the test cases a TESTING wait was handed (its context's IMPLEMENTATION), as the testing gate requires. */
export function passingReport(context: unknown): { passed: number; failed: number; results: { test: string; outcome: 'passed' }[]; notes: string } {
  const cases = (context as { earlier?: { IMPLEMENTATION?: { test_cases?: { name: string }[] } } } | null)?.earlier?.IMPLEMENTATION?.test_cases ?? [];
  return { passed: cases.length, failed: 0, results: cases.map((c) => ({ test: c.name, outcome: 'passed' as const })), notes: 'all green' };
}
