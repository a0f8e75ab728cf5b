// A non-retail workflow: AUTHOR writes, REVIEWER sends the work back (at most twice) or approves, PUBLISHER approves.
import { expect, it } from 'vitest';
import { z } from 'zod';
import { defineAgent, defineWorkflow, type WorkflowContext } from '../../../src/engine/index.js';
import { describeEachStore } from '../../support/stores.js';
import { ofType, useHarness } from './harness.js';

const manuscript = z.object({ title: z.string(), body: z.string(), draft: z.number().int() });
const verdict = z.object({ decision: z.enum(['retry', 'approve']), notes: z.string() });
type Verdict = z.infer<typeof verdict>;

describeEachStore('engine runs: a three-role review loop', (kind) => {
  const h = useHarness(kind);

  const setup = () => {
    const authorInputs: unknown[] = [];
    const author = defineAgent({
      name: 'author',
      description: 'AUTHOR: writes the piece, addressing the reviewer notes if any.',
      input: z.object({ subject: z.string(), notes: z.string().optional(), draft: z.number().int() }),
      output: manuscript,
      run: ({ input }) => {
        authorInputs.push(input);
        return { title: `On ${input.subject}`, body: input.notes ? `draft ${input.draft}, fixing: ${input.notes}` : 'first draft', draft: input.draft };
      },
    });
    const reviewer = defineAgent({
      name: 'reviewer',
      description: 'REVIEWER: sends a draft back with notes until it is good enough.',
      input: manuscript,
      output: verdict,
      run: ({ input }) =>
        input.draft < 3 ? { decision: 'retry' as const, notes: `tighten draft ${input.draft}` } : { decision: 'approve' as const, notes: 'ready' },
    });
    const workflow = defineWorkflow({
      name: 'review-loop',
      parameters: z.object({ subject: z.string() }),
      // Two retries at most: a third return to "write" would be its 4th visit.
      maxVisitsPerPhase: 3,
      phases: [
        {
          name: 'write',
          agent: 'author',
          input: ({ parameters, results, visits }: WorkflowContext<{ subject: string }>) => ({
            subject: parameters.subject,
            notes: (results.review as Verdict | undefined)?.notes,
            draft: (visits.write ?? 0) + 1,
          }),
        },
        {
          name: 'review',
          agent: 'reviewer',
          input: ({ results }: WorkflowContext) => results.write,
          transitions: ['write'],
          next: (_context: WorkflowContext, output: unknown) =>
            (output as Verdict).decision === 'retry' ? { goto: 'write', reason: (output as Verdict).notes } : undefined,
        },
        {
          name: 'publish',
          wait: { kind: 'approval', role: 'PUBLISHER', data: ({ results }: WorkflowContext) => results.write },
        },
      ],
    });
    const engine = h.engine({ agents: [author, reviewer], workflows: [workflow] });
    return { engine, authorInputs };
  };

  it('completes after two retries, with the handoffs alternating between author and reviewer', async () => {
    const { engine, authorInputs } = setup();
    const { id } = await engine.startRun('review-loop', { subject: 'tides' });
    const waiting = await engine.settled(id);
    expect(waiting).toMatchObject({
      state: 'waiting',
      phase: 'publish',
      completedPhases: ['write', 'review'],
      waitingFor: { kind: 'approval', role: 'PUBLISHER', data: { title: 'On tides', body: 'draft 3, fixing: tighten draft 2', draft: 3 } },
    });
    expect(authorInputs).toEqual([
      { subject: 'tides', draft: 1 },
      { subject: 'tides', notes: 'tighten draft 1', draft: 2 },
      { subject: 'tides', notes: 'tighten draft 2', draft: 3 },
    ]);

    const history = await engine.history(id);
    expect(history.map((x) => [x.fromAgent, x.toAgent, x.stepKey])).toEqual([
      [null, 'author', 'write#1'],
      ['author', 'reviewer', 'review#1'],
      ['reviewer', 'author', 'write#2'],
      ['author', 'reviewer', 'review#2'],
      ['reviewer', 'author', 'write#3'],
      ['author', 'reviewer', 'review#3'],
    ]);
    expect(history[3]!.payload).toEqual({ title: 'On tides', body: 'draft 2, fixing: tighten draft 1', draft: 2 });
    expect(ofType(await engine.readEvents(id), 'phase_transition')).toEqual([
      { from_phase: 'review', to_phase: 'write', reason: 'tighten draft 1' },
      { from_phase: 'review', to_phase: 'write', reason: 'tighten draft 2' },
    ]);

    await engine.resolveWait(id, waiting.waitingFor!.id, { action: 'accept', role: 'PUBLISHER', comment: 'ship it' });
    const done = await engine.settled(id);
    expect(done).toMatchObject({ state: 'completed', percent: 100, completedPhases: ['write', 'review', 'publish'] });
  });

  it('fails the run once the loop exceeds its visit limit instead of looping forever', async () => {
    const { engine } = setup();
    const stubborn = defineAgent({
      name: 'reviewer',
      input: manuscript,
      output: verdict,
      run: () => ({ decision: 'retry' as const, notes: 'again' }),
    });
    engine.registerAgent(stubborn);
    const { id } = await engine.startRun('review-loop', { subject: 'tides' });
    const failed = await engine.settled(id);
    expect(failed).toMatchObject({ state: 'failed', phase: 'write', error: { error_type: 'INVALID_TRANSITION', details: { phase: 'write', visits: 3 } } });
    expect((await engine.history(id)).map((x) => x.stepKey)).toEqual(['write#1', 'review#1', 'write#2', 'review#2', 'write#3', 'review#3']);
  });
});
