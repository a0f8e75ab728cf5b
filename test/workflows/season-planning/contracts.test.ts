// The season contracts hold what a real run writes: every stored plan body, phase result and event payload of a season with a modified buy, variance alerts, a re-forecast, replenishment and a modified markdown parses unchanged, on SQLite and PostgreSQL.
import { afterEach, beforeEach, expect, it } from 'vitest';
import { z } from 'zod';
import { CORE_EVENT_PAYLOADS, coreWireEvent, isCoreEventType, WaitResolution } from '../../../src/engine/contracts.js';
import type { Engine } from '../../../src/engine/index.js';
import { actualsOutput } from '../../../src/workflows/season-planning/agents/actuals.js';
import { demandOutput } from '../../../src/workflows/season-planning/agents/demand.js';
import { inventoryOutput } from '../../../src/workflows/season-planning/agents/inventory.js';
import { monitorOutput } from '../../../src/workflows/season-planning/agents/monitor.js';
import { pricingOutput } from '../../../src/workflows/season-planning/agents/pricing.js';
import { replenishmentOutput } from '../../../src/workflows/season-planning/agents/replenishment.js';
import { clockOutput } from '../../../src/workflows/season-planning/agents/season-clock.js';
import { closeOutput } from '../../../src/workflows/season-planning/agents/season-close.js';
import * as contracts from '../../../src/workflows/season-planning/contracts.js';
import { seasonData } from '../../../src/workflows/season-planning/data/index.js';
import { loadSyntheticData } from '../../../src/workflows/season-planning/data/load-synthetic.js';
import { PlanParameters } from '../../../src/workflows/season-planning/parameters.js';
import { describeEachStore, type TestStore } from '../../support/stores.js';
import { driveToEnd, LAST_WEEK, season, SEASON_PLANNING, seasonEngine } from './support.js';

/** Parses `value` and expects nothing dropped or added: a field the code writes that the contract lacks fails here. */
function holds(schema: z.ZodType, value: unknown, what: string): void {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new Error(`${what} does not match its contract: ${z.prettifyError(parsed.error)}`);
  expect(parsed.data, what).toEqual(value);
}

describeEachStore('season planning contracts', (kind) => {
  let t: TestStore;
  let engine: Engine;
  const errors: unknown[] = [];
  beforeEach(async () => {
    t = await kind.create();
    errors.length = 0;
  });
  afterEach(async () => {
    await engine?.close();
    await t.dispose();
    expect(errors).toEqual([]);
  });

  it('parses every plan body, phase result and event payload a full season writes, unchanged', { timeout: 120_000 }, async () => {
    // A category shifts from week 4: variance alerts and a re-forecast; the buy is doubled, so stock is left at the checkpoint and a markdown is recommended.
    await loadSyntheticData(t.store, { stores: 8, categories: 5, weeks: 104, seed: 11, lastWeek: LAST_WEEK, inSeasonShift: { factor: 1.45, fromWeek: 4 } });
    engine = seasonEngine(t.store, errors);
    await engine.start();
    const run = await engine.startRun(SEASON_PLANNING, season(8, { markdown_checkpoint_week: 6, markdown_threshold: 0.95 }));
    const done = await driveToEnd(engine, run.id, (phase, data, nth) => {
      if (phase === 'manufacturing_approval' && nth === 1)
        return { action: 'modify', data: { manufacturing_quantity: 2 * (data as { manufacturing_quantity: number }).manufacturing_quantity } };
      if (phase === 'markdown_approval' && nth === 1) return { action: 'modify', data: { markdown: 0.3 }, comment: 'deeper' };
      return { action: 'accept' };
    });
    expect(done.state).toBe('completed');

    // Plans: every kind the run stores.
    const data = seasonData(t.store);
    const counts: Record<string, number> = {};
    for (const [kind, schema] of Object.entries(contracts.PLAN_BODIES)) {
      const plans = await data.listPlans(run.id, kind);
      counts[kind] = plans.length;
      for (const plan of plans) holds(schema, plan.body, `${kind} plan revision ${plan.revision}`);
    }
    expect(counts.forecast).toBeGreaterThanOrEqual(3); // the buy, its modification, a re-forecast
    expect(counts.allocation).toBe(1);
    expect(counts.replenishment).toBeGreaterThan(0);
    expect(counts.markdown).toBe(2); // the model's, then the planner's depth
    expect(counts.summary).toBe(1);

    // Phase results: each step's output (a wait's is its resolution).
    const seen = new Set<string>();
    for (const step of await t.store.listSteps(run.id)) {
      if (step.kind !== 'agent' && step.kind !== 'wait') continue;
      const schema = contracts.PHASE_RESULTS[step.phase as contracts.SeasonPhase];
      expect(schema, `a contract for phase ${step.phase}`).toBeDefined();
      holds(schema, step.output, `${step.phase} result (${step.stepKey})`);
      seen.add(step.phase);
    }
    for (const phase of ['demand', 'manufacturing_approval', 'allocation', 'simulate_actuals', 'monitor', 'reforecast', 'replenishment', 'markdown_check'])
      expect(seen).toContain(phase);
    for (const phase of ['markdown_approval', 'week_end', 'season_close']) expect(seen).toContain(phase);

    // Events: every core payload, on the wire and in the log, and the monitor's variance alerts.
    const events = await engine.readEvents(run.id);
    const types = new Set(events.map((e) => e.type));
    for (const event of events) {
      if (isCoreEventType(event.type)) {
        holds(CORE_EVENT_PAYLOADS[event.type], event.payload, `${event.type} event #${event.seq}`);
        const wire = { type: event.type, run_id: run.id, seq: event.seq, timestamp: new Date(0).toISOString(), ...event.payload };
        holds(coreWireEvent, wire, `${event.type} event #${event.seq} on the wire`);
      } else {
        const schema = contracts.SEASON_EVENT_PAYLOADS[event.type as keyof typeof contracts.SEASON_EVENT_PAYLOADS];
        expect(schema, `a contract for event type ${event.type}`).toBeDefined();
        holds(schema, event.payload, `${event.type} event #${event.seq}`);
      }
      if (event.type === 'complete') {
        const { phase, result } = event.payload as { phase: contracts.SeasonPhase; result: unknown };
        holds(contracts.PHASE_RESULTS[phase], result, `${phase} result in complete #${event.seq}`);
      }
      if (event.type === 'approval_resolved') holds(WaitResolution, event.payload.resolution, `resolution #${event.seq}`);
      if (event.type === 'approval_required' || event.type === 'wait_required') {
        const { phase, data } = event.payload as { phase: contracts.SeasonWaitPhase; data: unknown };
        holds(contracts.WAIT_DATA[phase], data, `${phase} data in ${event.type} #${event.seq}`);
      }
    }
    for (const type of ['run_created', 'run_state', 'agent_status', 'progress', 'complete', 'approval_required', 'approval_resolved', 'variance_alert'])
      expect(types).toContain(type);
    expect(types).toContain('workflow_complete');
  });
});

it('refuses a plan body or a result that lacks a field or carries a wrong one, naming the path', () => {
  const body = { revision: 1, approved_quantity: 100, dc_units: 15, store_units: { S01: 85 }, clusters: { S01: 0 } };
  expect(contracts.AllocationPlanBody.safeParse(body).success).toBe(true);
  const missing = contracts.AllocationPlanBody.safeParse({ ...body, store_units: undefined });
  expect(missing.error?.issues[0]?.path).toEqual(['store_units']);
  const wrong = contracts.ReplenishmentPlanBody.safeParse({ week: 2, moves: [{ store_id: 'S01', units: '3' }] });
  expect(wrong.error?.issues[0]?.path).toEqual(['moves', 0, 'units']);
});

// The agents validate their outputs with their own schemas until they take them from the contracts: the two must say the same.
it("declares each agent's output as the agent does", () => {
  const same = (a: z.ZodType, b: z.ZodType, what: string) => expect(z.toJSONSchema(a, { io: 'input' }), what).toEqual(z.toJSONSchema(b, { io: 'input' }));
  same(contracts.DemandOutput, demandOutput, 'demand');
  same(contracts.InventoryOutput, inventoryOutput, 'inventory');
  same(contracts.ActualsOutput, actualsOutput, 'actuals');
  same(contracts.MonitorOutput, monitorOutput, 'monitor');
  same(contracts.ReplenishmentOutput, replenishmentOutput, 'replenishment');
  same(contracts.PricingOutput, pricingOutput, 'pricing');
  same(contracts.ClockOutput, clockOutput, 'season clock');
  same(contracts.CloseOutput, closeOutput, 'season close');
  same(contracts.PlanParameters, PlanParameters, 'parameters');
});
