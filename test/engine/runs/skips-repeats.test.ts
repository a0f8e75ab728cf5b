// Skipped phases (skip rules) and repeated phases (repeat.times and repeat.until).
import { expect, it } from 'vitest';
import { z } from 'zod';
import { defineWorkflow, type WorkflowContext } from '../../../src/engine/index.js';
import { describeEachStore } from '../../support/stores.js';
import { agent, echo, ofType, typesOf, useHarness } from './harness.js';

describeEachStore('engine runs: skips and repeats', (kind) => {
  const h = useHarness(kind);

  const withOptionalPhase = defineWorkflow({
    name: 'optional',
    parameters: z.object({ languages: z.array(z.string()) }),
    phases: [
      { name: 'draft', agent: 'writer' },
      { name: 'translate', agent: 'translator', skip: (p) => (p.languages.length === 0 ? 'no languages requested' : undefined) },
      { name: 'publish', agent: 'publisher' },
    ],
  });

  it('skips a phase whose skip rule gives a reason, records a phase_skipped event and counts it as done', async () => {
    const writer = echo('writer');
    const translator = echo('translator');
    const publisher = echo('publisher');
    const engine = h.engine({ agents: [writer, translator, publisher], workflows: [withOptionalPhase] });
    const { id } = await engine.startRun('optional', { languages: [] });
    const done = await engine.settled(id);
    expect(done).toMatchObject({ state: 'completed', percent: 100, completedPhases: ['draft', 'translate', 'publish'] });
    expect(translator.calls).toEqual([]);
    expect(publisher.calls).toHaveLength(1);
    const log = await engine.readEvents(id);
    expect(ofType(log, 'phase_skipped')).toEqual([{ phase: 'translate', reason: 'no languages requested' }]);
    const skippedAt = typesOf(log).indexOf('phase_skipped');
    expect(ofType(log.slice(0, skippedAt), 'complete').map((p) => p.phase)).toEqual(['draft']);
    expect(ofType(log.slice(skippedAt), 'complete').map((p) => p.phase)).toEqual(['publish']);
    // The skipped phase hands over nothing: publish receives the draft.
    expect((await engine.history(id)).map((x) => [x.fromPhase, x.toPhase])).toEqual([
      [null, 'draft'],
      ['draft', 'publish'],
    ]);
  });

  // Regression: a skipped phase was missing from `results` in-process but present after a resume.
  it("shows a skipped phase in later phases' results the same way whether or not the run was resumed in between", async () => {
    const publisher = echo('publisher');
    const archivist = echo('archivist');
    const workflow = defineWorkflow({
      name: 'optional-with-wait',
      parameters: z.object({ languages: z.array(z.string()) }),
      phases: [
        { name: 'draft', agent: 'writer' },
        { name: 'translate', agent: 'translator', skip: () => 'no languages requested' },
        { name: 'publish', agent: 'publisher' },
        { name: 'approve', wait: { kind: 'approval' } },
        { name: 'archive', agent: 'archivist' },
      ],
    });
    const engine = h.engine({ agents: [echo('writer'), echo('translator'), publisher, archivist], workflows: [workflow] });
    const { id } = await engine.startRun('optional-with-wait', { languages: [] });
    const waiting = await engine.settled(id);
    await engine.resolveWait(id, waiting.waitingFor!.id, { action: 'accept' });
    expect((await engine.settled(id)).state).toBe('completed');
    const skipped = { skipped: true, reason: 'no languages requested' };
    // archive runs on a driver rebuilt from the stored steps; publish ran straight after the skip.
    expect((archivist.calls[0] as { results: Record<string, unknown> }).results.translate).toEqual(skipped);
    expect((publisher.calls[0] as { results: Record<string, unknown> }).results.translate).toEqual(skipped);
  });

  it('runs the phase when its skip rule gives no reason', async () => {
    const translator = echo('translator');
    const engine = h.engine({ agents: [echo('writer'), translator, echo('publisher')], workflows: [withOptionalPhase] });
    const { id } = await engine.startRun('optional', { languages: ['fr'] });
    expect((await engine.settled(id)).completedPhases).toEqual(['draft', 'translate', 'publish']);
    expect(translator.calls).toHaveLength(1);
    expect(ofType(await engine.readEvents(id), 'phase_skipped')).toEqual([]);
  });

  it('runs a phase with repeat.times three times, visits 1 to 3, then moves on', async () => {
    const sampler = agent('sampler', ({ input }) => ({ sample: (input as { visit: number }).visit * 10 }));
    const summary = echo('summary');
    const workflow = defineWorkflow({
      name: 'sampling',
      parameters: z.object({ samples: z.number() }),
      phases: [
        { name: 'sample', agent: 'sampler', input: ({ visit }) => ({ visit }), repeat: { times: (p) => p.samples } },
        { name: 'summarise', agent: 'summary' },
      ],
    });
    const engine = h.engine({ agents: [sampler, summary], workflows: [workflow] });
    const { id } = await engine.startRun('sampling', { samples: 3 });
    const done = await engine.settled(id);
    expect(done).toMatchObject({ state: 'completed', completedPhases: ['sample', 'summarise'] });
    expect(sampler.calls).toEqual([{ visit: 1 }, { visit: 2 }, { visit: 3 }]);
    expect(summary.calls).toHaveLength(1);
    // The next phase sees the last visit's output.
    expect(summary.calls[0]).toMatchObject({ results: { sample: { sample: 30 } }, previous: { phase: 'sample', output: { sample: 30 } } });
    expect((await engine.history(id)).map((x) => x.stepKey)).toEqual(['sample#1', 'sample#2', 'sample#3', 'summarise#1']);
    expect(ofType(await engine.readEvents(id), 'phase_transition')).toEqual([
      expect.objectContaining({ from_phase: 'sample', to_phase: 'sample' }),
      expect.objectContaining({ from_phase: 'sample', to_phase: 'sample' }),
    ]);
  });

  it('stops repeating a phase with repeat.until once the condition holds', async () => {
    let stock = 0;
    const restocker = agent('restocker', () => ({ stock: (stock += 40) }));
    const ship = echo('ship');
    const workflow = defineWorkflow({
      name: 'restock',
      parameters: z.object({ target: z.number() }),
      phases: [
        {
          name: 'restock',
          agent: 'restocker',
          repeat: {
            until: ({ results, parameters }: WorkflowContext<{ target: number }>) => (results.restock as { stock: number }).stock >= parameters.target,
          },
        },
        { name: 'ship', agent: 'ship' },
      ],
    });
    const engine = h.engine({ agents: [restocker, ship], workflows: [workflow] });
    const { id } = await engine.startRun('restock', { target: 100 });
    expect(await engine.settled(id)).toMatchObject({ state: 'completed', result: { by: 'ship', call: 1 } });
    expect(restocker.calls).toHaveLength(3);
    expect(ship.calls[0]).toMatchObject({ results: { restock: { stock: 120 } } });
  });

  it('stops a phase with both repeat.times and repeat.until at whichever comes first', async () => {
    const polls = agent('poller', (_context, call) => ({ ready: call === 2 }));
    const capped = agent('capped', () => ({ ready: false }));
    const workflow = defineWorkflow({
      name: 'polling',
      parameters: z.object({}),
      phases: [
        { name: 'poll', agent: 'poller', repeat: { times: () => 5, until: ({ results }) => (results.poll as { ready: boolean }).ready } },
        { name: 'cap', agent: 'capped', repeat: { times: () => 3, until: ({ results }) => (results.cap as { ready: boolean }).ready } },
      ],
    });
    const engine = h.engine({ agents: [polls, capped], workflows: [workflow] });
    const { id } = await engine.startRun('polling', {});
    expect((await engine.settled(id)).state).toBe('completed');
    expect(polls.calls).toHaveLength(2);
    expect(capped.calls).toHaveLength(3);
  });

  it('does not repeat a repeat.until phase whose condition holds after the first visit', async () => {
    const once = echo('once');
    const workflow = defineWorkflow({
      name: 'once',
      parameters: z.object({}),
      phases: [{ name: 'only', agent: 'once', repeat: { until: () => true } }],
    });
    const engine = h.engine({ agents: [once], workflows: [workflow] });
    const { id } = await engine.startRun('once', {});
    expect((await engine.settled(id)).state).toBe('completed');
    expect(once.calls).toHaveLength(1);
    expect(ofType(await engine.readEvents(id), 'phase_transition')).toEqual([]);
  });
});
