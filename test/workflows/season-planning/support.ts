// A season-planning engine on a real test database with small synthetic data, and a driver that answers its approvals.
import { afterEach, beforeEach, expect } from 'vitest';
import { Engine, type EngineOptions, type RunStatus } from '../../../src/engine/index.js';
import type { EventRecord, BatonStore } from '../../../src/store/index.js';
import { loadSyntheticData } from '../../../src/workflows/season-planning/data/load-synthetic.js';
import { addDays } from '../../../src/workflows/season-planning/data/weeks.js';
import type { PlanParametersInput } from '../../../src/workflows/season-planning/parameters.js';
import { SEASON_PLANNING, seasonPlanning, type SeasonPlanningOptions } from '../../../src/workflows/season-planning/workflow.js';
import type { StoreKind, TestStore } from '../../support/stores.js';

export const LAST_WEEK = '2025-12-29';
export const SEASON_START = '2026-01-05';

export async function loadSmallChain(store: BatonStore, inSeasonShift?: { factor: number; fromWeek: number }): Promise<void> {
  await loadSyntheticData(store, { stores: 8, categories: 2, weeks: 104, seed: 11, lastWeek: LAST_WEEK, ...(inSeasonShift ? { inSeasonShift } : {}) });
}

/**
 * Per test: a fresh database of `kind` with the small chain loaded and a started season engine, closed after;
 * an error the engine reports fails the test. Read its fields inside tests (they are set in beforeEach).
 */
export function useSmallChain(kind: StoreKind): { t: TestStore; store: BatonStore; engine: Engine } {
  const state = {} as { t: TestStore; store: BatonStore; engine: Engine };
  const errors: unknown[] = [];
  beforeEach(async () => {
    state.t = await kind.create();
    state.store = state.t.store;
    errors.length = 0;
    await loadSmallChain(state.store);
    state.engine = seasonEngine(state.store, errors);
    await state.engine.start();
  });
  afterEach(async () => {
    await state.engine?.close();
    await state.t.dispose();
    expect(errors).toEqual([]);
  });
  return state;
}

export function seasonEngine(
  store: BatonStore,
  errors: unknown[] = [],
  options: SeasonPlanningOptions = {},
  engine: Pick<EngineOptions, 'drive'> = {},
): Engine {
  const { workflow, agents } = seasonPlanning(store, options);
  return new Engine({ store, agents, workflows: [workflow], pollIntervalMs: 50, leaseMs: 2_000, onError: (error) => errors.push(error), ...engine });
}

export function season(weeks: number, overrides: Partial<PlanParametersInput> = {}): PlanParametersInput {
  return {
    forecast_horizon_weeks: weeks,
    season_start_date: SEASON_START,
    season_end_date: addDays(SEASON_START, 7 * weeks),
    replenishment_strategy: 'weekly',
    dc_holdback_percentage: 0.15,
    markdown_checkpoint_week: null,
    markdown_threshold: null,
    actuals: 'simulated',
    ...overrides,
  };
}

export type Answer = { action: 'accept' | 'modify' | 'reject'; data?: unknown; comment?: string };

/** Answers each wait with `answer(phase, data, nth)` (default accept) until the run finishes. */
export async function driveToEnd(
  engine: Engine,
  runId: string,
  answer: (phase: string, data: unknown, nth: number) => Answer = () => ({ action: 'accept' }),
): Promise<RunStatus> {
  const seen = new Map<string, number>();
  let status = await engine.settled(runId);
  while (status.state === 'waiting' && status.waitingFor) {
    const { phase, data, id } = status.waitingFor;
    const nth = (seen.get(phase) ?? 0) + 1;
    seen.set(phase, nth);
    await engine.resolveWait(runId, id, answer(phase, data, nth));
    status = await engine.settled(runId);
  }
  return status;
}

export const ofType = (events: EventRecord[], type: string) => events.filter((e) => e.type === type);
export const completeOf = (events: EventRecord[], phase: string) =>
  events.filter((e) => e.type === 'complete' && e.payload.phase === phase).map((e) => e.payload.result as Record<string, unknown>);

export { SEASON_PLANNING };
