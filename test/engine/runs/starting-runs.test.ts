// Starting runs: parameter validation, unknown workflows, idempotency keys and the fields of a run's status.
import type { Actor } from '../../../src/actors/contracts.js';
import { describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { defineWorkflow, type WorkflowContext } from '../../../src/engine/index.js';
import { BatonError, ConflictError, IncompleteInputError, InvalidParametersError, NotFoundError } from '../../../src/errors/index.js';
import { describeEachStore } from '../../support/stores.js';
import { agent, echo, rejectionOf, useHarness } from './harness.js';

const planParameters = z.object({
  store: z.object({ id: z.string().min(1), region: z.enum(['north', 'south']) }),
  weeks: z.number().int().positive(),
  items: z.array(z.object({ sku: z.string() })).default([]),
});

describeEachStore('engine runs: starting and status', (kind) => {
  const h = useHarness(kind);

  const setup = () => {
    const forecast = echo('forecast');
    const plan = echo('plan');
    const order = agent('order', ({ input }) => ({ ordered: true, saw: (input as { previous?: unknown }).previous }));
    const workflow = defineWorkflow({
      name: 'season-plan',
      parameters: planParameters,
      phases: [
        { name: 'forecast', agent: 'forecast' },
        { name: 'plan', agent: 'plan' },
        { name: 'approve', wait: { kind: 'approval', data: ({ results }: WorkflowContext) => ({ proposal: results.plan }) } },
        { name: 'order', agent: 'order' },
      ],
    });
    const other = defineWorkflow({ name: 'stock-check', parameters: z.object({}), phases: [{ name: 'only', agent: 'forecast' }] });
    const engine = h.engine({ agents: [forecast, plan, order], workflows: [workflow, other] });
    return { engine, forecast, plan, order };
  };

  const valid = { store: { id: 'S-1', region: 'north' }, weeks: 4 };

  describe('parameters', () => {
    it('refuses parameters that fail the workflow schema with INVALID_PARAMETERS naming the dotted field path', async () => {
      const { engine, forecast } = setup();
      const error = await rejectionOf(engine.startRun('season-plan', { store: { id: 'S-1', region: 'east' }, weeks: 4 }));
      expect(error).toBeInstanceOf(InvalidParametersError);
      expect(error).toMatchObject({
        code: 'INVALID_PARAMETERS',
        details: { issues: [{ path: 'store.region', message: expect.any(String) as string }] },
      });
      expect(forecast.calls).toEqual([]);
    });

    it('refuses parameters with required fields left out as INCOMPLETE_INPUT naming each, and mixed failures as INVALID_PARAMETERS', async () => {
      const { engine, forecast } = setup();
      const error = await rejectionOf(engine.startRun('season-plan', { store: { id: 'S-1' } }));
      expect(error).toBeInstanceOf(IncompleteInputError);
      expect(error).toMatchObject({ code: 'INCOMPLETE_INPUT', httpStatus: 400 });
      expect((error as IncompleteInputError).details.issues).toEqual([
        { path: 'store.region', message: 'is required' },
        { path: 'weeks', message: 'is required' },
      ]);
      // One field missing and one wrong: the wrong value is the thing to fix first.
      await expect(engine.startRun('season-plan', { store: { id: 'S-1', region: 'east' } })).rejects.toMatchObject({ code: 'INVALID_PARAMETERS' });
      expect(forecast.calls).toEqual([]);
    });

    it('names every failing field, including array elements, in the issues', async () => {
      const { engine } = setup();
      const error = await rejectionOf(engine.startRun('season-plan', { store: { id: '' }, weeks: -1, items: [{ sku: 'A' }, { sku: 7 }] }));
      expect(error).toBeInstanceOf(InvalidParametersError);
      const paths = (error as InvalidParametersError).details.issues as { path: string }[];
      expect(paths.map((i) => i.path).sort()).toEqual(['items.1.sku', 'store.id', 'store.region', 'weeks']);
    });

    it('refuses an unknown workflow with NOT_FOUND and suggestions naming the known workflows', async () => {
      const { engine } = setup();
      const error = await rejectionOf(engine.startRun('season-plam', valid));
      expect(error).toBeInstanceOf(NotFoundError);
      expect(error).toMatchObject({ code: 'NOT_FOUND', details: { workflow: 'season-plam' } });
      const suggestions = (error as NotFoundError).suggestions.join(' ');
      expect(suggestions).toContain('season-plan');
      expect(suggestions).toContain('stock-check');
    });

    it('leaves no run behind when a start fails', async () => {
      const { engine } = setup();
      const before = await engine.listRuns();
      await expect(engine.startRun('season-plan', { weeks: 'four' })).rejects.toMatchObject({ code: 'INVALID_PARAMETERS' });
      await expect(engine.startRun('nope', valid)).rejects.toMatchObject({ code: 'NOT_FOUND' });
      const after = await engine.listRuns();
      expect(before.total).toBe(0);
      expect(after.total).toBe(0);
      expect(after.runs).toEqual([]);
    });

    it('stores the parsed parameters, with schema defaults applied', async () => {
      const { engine } = setup();
      const run = await engine.startRun('season-plan', valid);
      expect(run.parameters).toEqual({ ...valid, items: [] });
      expect((await engine.status(run.id)).parameters).toEqual({ ...valid, items: [] });
    });
  });

  describe('admission', () => {
    /** A workflow that admits only stores it has data for: what its schema cannot know. */
    const admitting = (known: string[]) => {
      const seen: unknown[] = [];
      const workflow = defineWorkflow({
        name: 'season-plan',
        parameters: planParameters,
        phases: [{ name: 'forecast', agent: 'forecast' }],
        async admit(parameters) {
          seen.push(parameters);
          await Promise.resolve();
          if (!known.includes(parameters.store.id))
            throw new BatonError('INVALID_PARAMETERS', `no sales history for store ${parameters.store.id}`, { details: { known_stores: known } });
        },
      });
      const forecast = echo('forecast');
      return { engine: h.engine({ agents: [forecast], workflows: [workflow] }), forecast, seen };
    };

    it("refuses a start the workflow's admission check refuses with its error, and no run exists", async () => {
      const { engine, forecast } = admitting(['S-2']);
      const error = await rejectionOf(engine.startRun('season-plan', valid, { idempotencyKey: 'k-1' }));
      expect(error).toMatchObject({ code: 'INVALID_PARAMETERS', message: 'no sales history for store S-1', details: { known_stores: ['S-2'] } });
      expect((await engine.listRuns()).total).toBe(0);
      expect(forecast.calls).toEqual([]);
    });

    it('asks the check with the parsed parameters, defaults applied, and starts the run it admits', async () => {
      const { engine, seen } = admitting(['S-1']);
      const run = await engine.startRun('season-plan', valid);
      expect(seen).toEqual([{ ...valid, items: [] }]);
      expect((await engine.settled(run.id)).state).toBe('completed');
    });

    it('checks the parameters against the schema first: the check never sees parameters that fail it', async () => {
      const { engine, seen } = admitting(['S-1']);
      await expect(engine.startRun('season-plan', { weeks: 'four' })).rejects.toMatchObject({ code: 'INVALID_PARAMETERS' });
      expect(seen).toEqual([]);
    });
  });

  describe('idempotency', () => {
    it('returns the same run for the same idempotency key and starts only one', async () => {
      const { engine, forecast } = setup();
      const first = await engine.startRun('season-plan', valid, { idempotencyKey: 'plan-S-1-2025' });
      // The same request again: its defaults applied and its keys in another order are still the same parameters.
      const { weeks, ...rest } = valid;
      const second = await engine.startRun('season-plan', { weeks, ...rest, items: [] }, { idempotencyKey: 'plan-S-1-2025' });
      expect(second.id).toBe(first.id);
      expect(second.parameters).toEqual(first.parameters);
      await engine.settled(first.id);
      const { total, runs } = await engine.listRuns({ workflow: 'season-plan' });
      expect(total).toBe(1);
      expect(runs.map((r) => r.id)).toEqual([first.id]);
      expect(forecast.calls).toHaveLength(1);
      const created = (await engine.readEvents(first.id)).filter((e) => e.type === 'run_created');
      expect(created).toHaveLength(1);
    });

    it('refuses a key reused with other parameters with CONFLICT naming the run, and starts nothing', async () => {
      const { engine, forecast } = setup();
      const first = await engine.startRun('season-plan', valid, { idempotencyKey: 'plan-S-1-2025' });
      await engine.settled(first.id);
      const error = await rejectionOf(engine.startRun('season-plan', { ...valid, weeks: 9 }, { idempotencyKey: 'plan-S-1-2025' }));
      expect(error).toBeInstanceOf(ConflictError);
      expect(error).toMatchObject({ details: { run_id: first.id } });
      expect((error as ConflictError).message).toContain('other parameters');
      expect((await engine.listRuns()).total).toBe(1);
      expect(forecast.calls).toHaveLength(1);
    });

    it('starts one run when several starts with the same key arrive at once', async () => {
      const { engine, forecast } = setup();
      const starts = await Promise.all([1, 2, 3].map(() => engine.startRun('season-plan', valid, { idempotencyKey: 'burst' })));
      expect(new Set(starts.map((s) => s.id)).size).toBe(1);
      await engine.settled(starts[0]!.id);
      expect((await engine.listRuns()).total).toBe(1);
      expect(forecast.calls).toHaveLength(1);
    });

    it('starts distinct runs for distinct keys', async () => {
      const { engine } = setup();
      const a = await engine.startRun('season-plan', valid, { idempotencyKey: 'k-a' });
      const b = await engine.startRun('season-plan', valid, { idempotencyKey: 'k-b' });
      expect(a.id).not.toBe(b.id);
      expect((await engine.listRuns()).total).toBe(2);
    });

    it("refuses a key another person started a run with, without handing over that person's run or its id", async () => {
      const { engine, forecast } = setup();
      const person = (name: string): Actor => ({ id: `person:${name}`, name, token_id: null, kind: 'person', scope: 'write', roles: [], any_role: false });
      const first = await engine.startRun('season-plan', valid, { idempotencyKey: 'season-2027', actor: person('ada') });
      // The same person again gets her run; another person with the same key and parameters gets a refusal.
      expect((await engine.startRun('season-plan', valid, { idempotencyKey: 'season-2027', actor: person('ada') })).id).toBe(first.id);
      const error = await rejectionOf(engine.startRun('season-plan', valid, { idempotencyKey: 'season-2027', actor: person('bo') }));
      expect(error).toMatchObject({ code: 'CONFLICT', details: {} });
      expect((error as ConflictError).message).toBe('idempotency key "season-2027" is already used by another caller');
      expect(JSON.stringify((error as ConflictError).toJSON())).not.toContain(first.id);
      // Nor may a caller without an actor (a local-mode client) take a person's key.
      expect(await rejectionOf(engine.startRun('season-plan', valid, { idempotencyKey: 'season-2027' }))).toMatchObject({ code: 'CONFLICT' });
      await engine.settled(first.id);
      expect((await engine.listRuns()).total).toBe(1);
      expect(forecast.calls).toHaveLength(1);
    });

    it('refuses a key already used by a run of another workflow with CONFLICT', async () => {
      const { engine } = setup();
      const first = await engine.startRun('season-plan', valid, { idempotencyKey: 'shared' });
      const error = await rejectionOf(engine.startRun('stock-check', {}, { idempotencyKey: 'shared' }));
      expect(error).toBeInstanceOf(ConflictError);
      expect(error).toMatchObject({ code: 'CONFLICT', details: { run_id: first.id } });
      expect((await engine.listRuns()).total).toBe(1);
    });
  });

  describe('status', () => {
    it('reports a new run as running at its first phase with nothing done', async () => {
      const { engine } = setup();
      const run = await engine.startRun('season-plan', valid, { sessionId: 'session-7' });
      expect(run).toMatchObject({
        workflow: 'season-plan',
        sessionId: 'session-7',
        state: 'running',
        phase: 'forecast',
        percent: 0,
        completedPhases: [],
        waitingFor: null,
        result: null,
        error: null,
        finishedAt: null,
      });
    });

    it('reports phase, percent, completed phases and what a waiting run waits for', async () => {
      const { engine, plan } = setup();
      const { id } = await engine.startRun('season-plan', valid);
      const waiting = await engine.settled(id);
      expect(waiting).toMatchObject({
        state: 'waiting',
        phase: 'approve',
        percent: 50,
        completedPhases: ['forecast', 'plan'],
        waitingFor: {
          id: expect.any(String) as string,
          kind: 'approval',
          role: null,
          phase: 'approve',
          data: { proposal: { by: 'plan', call: 1 } },
          deadlineAt: null,
        },
        result: null,
        error: null,
        finishedAt: null,
      });
      expect(plan.calls).toHaveLength(1);
      expect(await engine.status(id)).toEqual(waiting);
    });

    it('reports a completed run at 100 percent with every phase done in order and its result', async () => {
      const { engine } = setup();
      const { id } = await engine.startRun('season-plan', valid);
      const waiting = await engine.settled(id);
      await engine.resolveWait(id, waiting.waitingFor!.id, { action: 'accept' });
      const done = await engine.settled(id);
      expect(done).toMatchObject({
        state: 'completed',
        phase: null,
        percent: 100,
        completedPhases: ['forecast', 'plan', 'approve', 'order'],
        waitingFor: null,
        error: null,
        result: { ordered: true, saw: { phase: 'plan', agent: 'plan', output: { by: 'plan', call: 1 } } },
      });
      expect(done.finishedAt).toEqual(expect.any(Number));
      expect(done.finishedAt!).toBeGreaterThanOrEqual(done.createdAt);
    });

    it('answers NOT_FOUND for a run that does not exist', async () => {
      const { engine } = setup();
      await expect(engine.status('no-such-run')).rejects.toMatchObject({ code: 'NOT_FOUND' });
      await expect(engine.status('no-such-run')).rejects.toBeInstanceOf(NotFoundError);
    });
  });

  describe('at capacity', () => {
    it('drives a run started while every slot is taken as soon as a slot frees, not at the next poll', async () => {
      // A poll a minute away: only the prompt claim can drive the runs started while the one slot is busy.
      const step = echo('step');
      const chain = defineWorkflow({
        name: 'chain',
        parameters: z.object({}),
        phases: [
          { name: 'one', agent: 'step' },
          { name: 'two', agent: 'step' },
        ],
      });
      const engine = h.engine({ agents: [step], workflows: [chain], maxConcurrentRuns: 1, pollIntervalMs: 60_000 });
      await engine.start();
      const states: string[] = [];
      for (let i = 0; i < 5; i++) {
        const { id } = await engine.startRun('chain', {});
        states.push((await engine.settled(id)).state);
      }
      expect(states).toEqual(['completed', 'completed', 'completed', 'completed', 'completed']);
      expect(step.calls).toHaveLength(10);
    });

    it('does not poll for runs to claim after each finished run when none waits for a slot', async () => {
      const step = echo('step');
      const chain = defineWorkflow({ name: 'chain', parameters: z.object({}), phases: [{ name: 'one', agent: 'step' }] });
      const engine = h.engine({ agents: [step], workflows: [chain], maxConcurrentRuns: 4, pollIntervalMs: 60_000 });
      await engine.start();
      const claims = vi.spyOn(h.t.store, 'claimRuns');
      for (let i = 0; i < 5; i++) expect((await engine.settled((await engine.startRun('chain', {})).id)).state).toBe('completed');
      expect(claims).not.toHaveBeenCalled();
    });

    it('drives every run of a burst larger than its slots, a slot at a time', async () => {
      const step = echo('step');
      const chain = defineWorkflow({ name: 'chain', parameters: z.object({}), phases: [{ name: 'one', agent: 'step' }] });
      const engine = h.engine({ agents: [step], workflows: [chain], maxConcurrentRuns: 2, pollIntervalMs: 60_000 });
      await engine.start();
      const started = await Promise.all(Array.from({ length: 7 }, () => engine.startRun('chain', {})));
      const settled = await Promise.all(started.map(({ id }) => engine.settled(id)));
      expect(settled.map((s) => s.state)).toEqual(Array(7).fill('completed'));
    });

    /** An agent that holds its slot until `open()`, counting how many run at once. */
    const heldAgent = () => {
      let open = () => {};
      const gate = new Promise<void>((resolve) => (open = resolve));
      const counts = { running: 0, most: 0 };
      const held = agent('held', async () => {
        counts.most = Math.max(counts.most, ++counts.running);
        await gate;
        counts.running--;
        return { ok: true };
      });
      return { held, counts, open: () => open() };
    };

    it('never runs more than its slots when starts arrive together: the rest wait for a slot', async () => {
      const { held, counts, open } = heldAgent();
      const chain = defineWorkflow({ name: 'chain', parameters: z.object({}), phases: [{ name: 'one', agent: 'held' }] });
      const engine = h.engine({ agents: [held], workflows: [chain], maxConcurrentRuns: 2, pollIntervalMs: 60_000 });
      await engine.start();
      const started = await Promise.all(Array.from({ length: 7 }, () => engine.startRun('chain', {})));
      await vi.waitFor(() => expect(counts.running).toBe(2));
      // Time for a run that took a slot it should not have to reach its agent.
      await new Promise((resolve) => setTimeout(resolve, 100));
      open();
      const settled = await Promise.all(started.map(({ id }) => engine.settled(id)));
      expect(settled.map((s) => s.state)).toEqual(Array(7).fill('completed'));
      expect(counts.most).toBe(2);
    });

    it('resumes an approved run when a slot frees, not beside the runs that fill its slots', async () => {
      const { held, counts, open } = heldAgent();
      const busy = defineWorkflow({ name: 'busy', parameters: z.object({}), phases: [{ name: 'one', agent: 'held' }] });
      const approved = defineWorkflow({
        name: 'approved',
        parameters: z.object({}),
        phases: [
          { name: 'ask', wait: { kind: 'approval' } },
          { name: 'then', agent: 'held' },
        ],
      });
      const engine = h.engine({ agents: [held], workflows: [busy, approved], maxConcurrentRuns: 1, pollIntervalMs: 60_000 });
      await engine.start();
      const waiting = await engine.settled((await engine.startRun('approved', {})).id);
      const filler = await engine.startRun('busy', {});
      await vi.waitFor(() => expect(counts.running).toBe(1));
      const resumed = await engine.resolveWait(waiting.id, waiting.waitingFor!.id, { action: 'accept' });
      // Written without a lease, for the claim that takes it when a slot frees: running, driven by no node yet.
      expect(resumed).toMatchObject({ state: 'running', drivenBy: null });
      expect(await engine.status(filler.id)).toMatchObject({ state: 'running', drivenBy: engine.nodeId });
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(counts.running).toBe(1);
      open();
      expect((await engine.settled(filler.id)).state).toBe('completed');
      expect((await engine.settled(waiting.id)).state).toBe('completed');
      expect(counts.most).toBe(1);
    });

    it('waits for a claim in flight that holds the free slots, then drives the run it started itself, leaving none for another node to claim', async () => {
      const step = echo('step');
      const chain = defineWorkflow({ name: 'chain', parameters: z.object({}), phases: [{ name: 'one', agent: 'step' }] });
      const engine = h.engine({ agents: [step], workflows: [chain], maxConcurrentRuns: 1, pollIntervalMs: 60_000 });
      // The poll's claim finds nothing and is held before it answers: meanwhile its free slot is the claim's.
      let answer = () => {};
      const held = new Promise<void>((resolve) => (answer = resolve));
      const claimRuns = h.t.store.claimRuns.bind(h.t.store);
      const claims = vi.spyOn(h.t.store, 'claimRuns').mockImplementationOnce(async (...args) => {
        const claimed = await claimRuns(...args);
        await held;
        return claimed;
      });
      const starting = engine.start();
      await vi.waitFor(() => expect(claims).toHaveBeenCalledTimes(1));
      let written = false;
      const start = engine.startRun('chain', {}).then((run) => ((written = true), run));
      await new Promise((resolve) => setTimeout(resolve, 50));
      // Written without a lease now, any node's claim could take it: the start waits for the claim instead.
      expect(written).toBe(false);
      answer();
      const { id } = await start;
      await starting;
      expect((await engine.settled(id, undefined, { timeoutMs: 5_000 })).state).toBe('completed');
      // Driven under the lease its start took: no second claim was needed to pick it up.
      expect(claims).toHaveBeenCalledTimes(1);
    });

    it('drives the runs it started beyond its slots even when never started as a worker (a library used in one process)', async () => {
      const { held, counts, open } = heldAgent();
      const chain = defineWorkflow({ name: 'chain', parameters: z.object({}), phases: [{ name: 'one', agent: 'held' }] });
      const engine = h.engine({ agents: [held], workflows: [chain], maxConcurrentRuns: 2, pollIntervalMs: 60_000 });
      const ids: string[] = [];
      // One at a time: the first two take both slots, the other three are written to wait for one.
      for (let i = 0; i < 5; i++) ids.push((await engine.startRun('chain', {})).id);
      open();
      const settled = await Promise.all(ids.map((id) => engine.settled(id, undefined, { timeoutMs: 10_000 })));
      expect(settled.map((s) => s.state)).toEqual(Array(5).fill('completed'));
      expect(held.calls).toHaveLength(5);
      expect(counts.most).toBe(2);
    });
  });
});
