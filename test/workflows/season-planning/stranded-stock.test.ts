// No stranded stock: a DC holdback with no replenishment is refused (422 with what to do), at the start over HTTP and in a modified buy.
import { expect, it } from 'vitest';
import { extractParameters, PARAMETER_FIELDS } from '../../../src/llm/index.js';
import { PlanParameters } from '../../../src/workflows/season-planning/parameters.js';
import { expectError, useServers } from '../../server/http/harness.js';
import { describeEachStore } from '../../support/stores.js';
import { loadSmallChain, season, SEASON_PLANNING } from './support.js';

const STRANDED = season(6, { replenishment_strategy: 'none', dc_holdback_percentage: 0.2 });

describeEachStore('season planning: no stranded stock', (kind) => {
  const h = useServers(kind);

  it('refuses "no replenishment, hold back 20% at the DC" through POST /api/orchestrator/run-workflow with 422 and what to do instead', async () => {
    const api = await h.serve({ season: true });
    await loadSmallChain(api.t.store);
    const error = expectError(
      await api.post('/api/orchestrator/run-workflow', { session_id: 's', workflow: SEASON_PLANNING, parameters: STRANDED }),
      422,
      'INVALID_PARAMETERS',
    );
    expect(error.details.issues).toEqual([
      { path: 'dc_holdback_percentage', message: expect.stringContaining('must be 0 with replenishment_strategy "none", not 0.2') as unknown },
    ]);
    expect(error.suggestions).toHaveLength(1);
    expect(error.suggestions[0]).toContain('set dc_holdback_percentage to 0');
    expect(error.suggestions[0]).toContain('choose weekly or bi-weekly replenishment');
    expect((await api.engine.listRuns()).total).toBe(0);
  });

  it('starts the same season with either fix: no holdback, or replenishment from the DC', async () => {
    const api = await h.serve({ season: true });
    await loadSmallChain(api.t.store);
    for (const fix of [{ dc_holdback_percentage: 0 }, { replenishment_strategy: 'bi-weekly' as const }]) {
      const reply = await api.post<{ run_id: string }>('/api/orchestrator/run-workflow', {
        session_id: 's',
        workflow: SEASON_PLANNING,
        parameters: { ...STRANDED, ...fix },
      });
      expect(reply.status).toBe(202);
      expect((await api.engine.settled(reply.body.run_id)).state).toBe('waiting');
    }
  });

  it('refuses a modified buy that would hold stock back at the DC of a season without replenishment, and keeps the approval open', async () => {
    const api = await h.serve({ season: true });
    await loadSmallChain(api.t.store);
    const runId = await api.startRun(SEASON_PLANNING, season(4, { replenishment_strategy: 'none', dc_holdback_percentage: 0 }));
    const waiting = await api.engine.settled(runId);
    const path = `/api/runs/${runId}/approvals/${waiting.waitingFor!.id}`;
    const error = expectError(await api.post(path, { action: 'modify', data: { parameters: { dc_holdback_percentage: 0.1 } } }), 422, 'INVALID_PARAMETERS');
    expect(error.details.issues).toEqual([
      { path: 'data.parameters.dc_holdback_percentage', message: expect.stringContaining('set dc_holdback_percentage to 0') as unknown },
    ]);
    expect(await api.engine.status(runId)).toMatchObject({ state: 'waiting', waitingFor: { id: waiting.waitingFor!.id } });
    expect((await api.engine.waits(runId))[0]).toMatchObject({ status: 'pending' });
    // Another modification of the same buy still goes through.
    expect((await api.post(path, { action: 'modify', data: { manufacturing_quantity: 1000 } })).status).toBe(200);
  });
});

it('the offline extractor turns "no restocking, 5 percent kept back" into parameters the season refuses (the extractor checks fields, the plan checks stock)', async () => {
  const extracted = await extractParameters('Starting next Monday: 20-week season, no restocking, 5 percent kept back.', {
    referenceDate: '2025-03-05',
    mode: 'rules',
    llm: null,
  });
  const parameters = Object.fromEntries(PARAMETER_FIELDS.map((field) => [field, extracted[field]]));
  expect(parameters).toMatchObject({ replenishment_strategy: 'none', dc_holdback_percentage: 0.05 });
  const checked = PlanParameters.safeParse(parameters);
  expect(checked.success).toBe(false);
  expect(checked.error?.issues.map((i) => i.path.join('.'))).toEqual(['dc_holdback_percentage']);
});
