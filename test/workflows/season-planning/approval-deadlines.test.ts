// Approval deadlines in a season: an unanswered buy ends the run expired; an unanswered markdown is no markdown and the season goes on.
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { Engine } from '../../../src/engine/index.js';
import type { BatonStore } from '../../../src/store/index.js';
import { PlanParameters } from '../../../src/workflows/season-planning/parameters.js';
import { describeEachStore, type TestStore } from '../../support/stores.js';
import { completeOf, driveToEnd, loadSmallChain, ofType, season, SEASON_PLANNING, seasonEngine } from './support.js';
import { seasonData } from '../../../src/workflows/season-planning/data/index.js';

/** A deadline of `ms` milliseconds, in the parameters' hours. */
const hours = (ms: number) => ms / 3_600_000;

describeEachStore('season planning: approval deadlines', (kind) => {
  let t: TestStore;
  let store: BatonStore;
  let engine: Engine;
  const errors: unknown[] = [];
  beforeEach(async () => {
    t = await kind.create();
    store = t.store;
    errors.length = 0;
    await loadSmallChain(store);
    engine = seasonEngine(store, errors);
    await engine.start();
  });
  afterEach(async () => {
    await engine?.close();
    await t.dispose();
    expect(errors).toEqual([]);
  });

  it('ends the run expired when the buy is not approved by its deadline, with an event saying so and nothing allocated', async () => {
    const run = await engine.startRun(SEASON_PLANNING, season(4, { buy_approval_deadline_hours: hours(300) }));
    const waiting = await engine.settled(run.id);
    expect(waiting).toMatchObject({ state: 'waiting', phase: 'manufacturing_approval' });
    const opened = ofType(await engine.readEvents(run.id), 'approval_required')[0]!;
    expect(opened.payload.deadline_at).toBe(waiting.waitingFor!.deadlineAt);
    expect(waiting.waitingFor!.deadlineAt! - opened.at).toBeGreaterThanOrEqual(299);

    const expired = await engine.settled(run.id, ['expired'], { timeoutMs: 10_000 });
    expect(expired).toMatchObject({ state: 'expired', phase: 'manufacturing_approval', waitingFor: null, error: null, completedPhases: ['demand'] });
    const events = await engine.readEvents(run.id);
    expect(ofType(events, 'run_state').at(-1)!.payload).toMatchObject({
      from: 'waiting',
      to: 'expired',
      reason: expect.stringContaining('phase "manufacturing_approval" was not answered by its deadline') as unknown,
    });
    expect(ofType(events, 'approval_resolved').at(-1)!.payload).toMatchObject({ approval_id: waiting.waitingFor!.id, resolution: { action: 'expired' } });
    expect(events.at(-1)).toMatchObject({ type: 'workflow_complete', payload: { state: 'expired' } });
    expect(completeOf(events, 'allocation')).toEqual([]);
    expect(await seasonData(store).latestPlan(run.id, 'allocation')).toBeUndefined();
    await expect(engine.resolveWait(run.id, waiting.waitingFor!.id, { action: 'accept' })).rejects.toMatchObject({ code: 'CONFLICT' });
  });

  it('falls back to no markdown when the markdown is not approved by its deadline, and the season completes at full price', async () => {
    const run = await engine.startRun(
      SEASON_PLANNING,
      season(6, {
        replenishment_strategy: 'none',
        dc_holdback_percentage: 0,
        markdown_checkpoint_week: 3,
        markdown_threshold: 0.95,
        markdown_approval_deadline_hours: hours(200),
      }),
    );
    // The buy (no deadline) is answered: twice the forecast, so stock is left at the checkpoint and a markdown is recommended.
    const buy = await engine.settled(run.id);
    expect(buy.waitingFor!.deadlineAt).toBeNull();
    await engine.resolveWait(run.id, buy.waitingFor!.id, {
      action: 'modify',
      data: { manufacturing_quantity: 2 * (buy.waitingFor!.data as { manufacturing_quantity: number }).manufacturing_quantity },
    });
    await engine.resolveWait(run.id, (await engine.settled(run.id)).waitingFor!.id, { action: 'accept' });
    const markdown = await engine.settled(run.id);
    expect(markdown).toMatchObject({ state: 'waiting', phase: 'markdown_approval' });
    expect((markdown.waitingFor!.data as { markdown: number }).markdown).toBeGreaterThan(0);
    expect(markdown.waitingFor!.deadlineAt).not.toBeNull();

    // Nobody answers: the season runs to its end on its own.
    const done = await engine.settled(run.id, ['completed'], { timeoutMs: 30_000 });
    expect(done.state).toBe('completed');
    expect((await engine.waits(run.id)).find((w) => w.id === markdown.waitingFor!.id)).toMatchObject({
      status: 'expired',
      resolution: { action: 'reject', expired: true },
    });
    const events = await engine.readEvents(run.id);
    const resumed = ofType(events, 'run_state')
      .filter((e) => e.payload.from === 'waiting')
      .at(-1)!;
    expect(resumed.payload).toEqual({ from: 'waiting', to: 'running', reason: 'markdown approval deadline passed unanswered: no markdown, prices stay' });
    expect(events[events.indexOf(resumed) - 1]).toMatchObject({
      type: 'approval_resolved',
      payload: { approval_id: markdown.waitingFor!.id, resolution: { action: 'reject', expired: true } },
    });
    expect(events.slice(events.indexOf(resumed)).find((e) => e.type === 'complete')!.payload.phase).toBe('week_end');
    expect(ofType(events, 'approval_required')).toHaveLength(3);
    // No markdown in force after the checkpoint: the simulated weeks sell at full price and the close reports none.
    const simulated = completeOf(events, 'simulate_actuals');
    expect(simulated).toHaveLength(6);
    for (const week of simulated) expect(week.explanation).not.toMatch(/markdown in force/);
    const [summary] = completeOf(events, 'season_close');
    expect(summary!.markdown).toBe(0);
    expect(summary!.explanation).toMatch(/no markdown/);
    expect(completeOf(events, 'week_end').map((w) => w.week)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('waits without a deadline by default: neither approval has one unless the planner sets it', async () => {
    const parsed = PlanParameters.parse(season(6));
    expect(parsed.buy_approval_deadline_hours).toBeUndefined();
    expect(parsed.markdown_approval_deadline_hours).toBeUndefined();
    const run = await engine.startRun(SEASON_PLANNING, season(4));
    expect((await engine.settled(run.id)).waitingFor!.deadlineAt).toBeNull();
    expect((await driveToEnd(engine, run.id)).state).toBe('completed');
  });
});

it('refuses a deadline that is not a positive number of hours, or beyond a year', () => {
  for (const bad of [0, -1, 24 * 367]) {
    expect(PlanParameters.safeParse(season(6, { buy_approval_deadline_hours: bad })).success).toBe(false);
    expect(PlanParameters.safeParse(season(6, { markdown_approval_deadline_hours: bad })).success).toBe(false);
  }
  expect(PlanParameters.safeParse(season(6, { buy_approval_deadline_hours: 48, markdown_approval_deadline_hours: 0.5 })).success).toBe(true);
});
