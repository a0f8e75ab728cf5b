// POST /api/orchestrator/run-workflow: starting runs, validation of the request and of the workflow's parameters, idempotency.
import { expect, it } from 'vitest';
import { loadSyntheticData } from '../../../src/workflows/season-planning/data/load-synthetic.js';
import { describeEachStore } from '../../support/stores.js';
import { expectError, issuesOf, useServers } from './harness.js';

const RUN = '/api/orchestrator/run-workflow';

describeEachStore('HTTP: run-workflow', (kind) => {
  const h = useServers(kind);

  it('answers 202 with the run id and its status at once, and the run proceeds in the background', async () => {
    const api = await h.serve();
    const reply = await api.post<{ run_id: string; status: string }>(RUN, { session_id: 's-1', workflow: 'slow', parameters: {} });
    expect(reply.status).toBe(202);
    expect(reply.body).toEqual({ run_id: expect.any(String) as unknown, workflow_id: reply.body.run_id, status: 'running' });
    await api.hold.started;
    expect((await api.engine.status(reply.body.run_id)).state).toBe('running');
    // The run names the node driving it while it runs, and no node once it is done.
    expect((await api.get<{ driven_by: string | null }>(`/api/runs/${reply.body.run_id}`)).body.driven_by).toBe(api.engine.nodeId);
    api.hold.release();
    expect((await api.engine.settled(reply.body.run_id)).state).toBe('completed');
    expect((await api.get<{ driven_by: string | null }>(`/api/runs/${reply.body.run_id}`)).body.driven_by).toBeNull();
  });

  it('records the session and the parameters after the workflow schema applied its defaults', async () => {
    const api = await h.serve();
    const id = await api.startRun('review', { topic: 'tides' }, 'session-42');
    const run = await api.engine.settled(id);
    expect(run).toMatchObject({ workflow: 'review', sessionId: 'session-42', parameters: { topic: 'tides', copies: 1 }, state: 'waiting' });
  });

  it('refuses a request without session_id as INCOMPLETE_INPUT naming body.session_id', async () => {
    const api = await h.serve();
    const error = expectError(await api.post(RUN, { workflow: 'review', parameters: { topic: 'tides' } }), 400, 'INCOMPLETE_INPUT');
    expect(issuesOf(error)).toEqual([{ path: 'body.session_id', message: 'is required' }]);
    expect((await api.engine.listRuns()).total).toBe(0);
  });

  it('refuses a present but wrong field of the request as INVALID_PARAMETERS', async () => {
    const api = await h.serve();
    const error = expectError(await api.post(RUN, { session_id: '', workflow: 'review', parameters: { topic: 'tides' } }), 422, 'INVALID_PARAMETERS');
    expect(issuesOf(error).map((i) => i.path)).toEqual(['body.session_id']);
  });

  it("refuses parameters that fail the workflow's schema with 422 naming each failing field", async () => {
    const api = await h.serve();
    const reply = await api.post(RUN, { session_id: 's-1', workflow: 'review', parameters: { topic: '', copies: 0 } });
    const error = expectError(reply, 422, 'INVALID_PARAMETERS');
    expect(
      issuesOf(error)
        .map((i) => i.path)
        .sort(),
    ).toEqual(['copies', 'topic']);
    expect(issuesOf(error).every((i) => i.message.length > 0)).toBe(true);
    expect((await api.engine.listRuns()).total).toBe(0);
  });

  it('refuses parameters missing a field the workflow requires with 400 INCOMPLETE_INPUT naming it', async () => {
    const api = await h.serve();
    const error = expectError(await api.post(RUN, { session_id: 's-1', workflow: 'review', parameters: {} }), 400, 'INCOMPLETE_INPUT');
    expect(issuesOf(error)).toEqual([{ path: 'topic', message: 'is required' }]);
    expect(error.suggestions).toEqual(['give topic']);
    expect((await api.engine.listRuns()).total).toBe(0);
  });

  it('refuses a season that starts before its sales history ends with 422 INVALID_PARAMETERS naming the earliest start, and starts no run', async () => {
    const api = await h.serve({ season: true });
    await loadSyntheticData(api.t.store, { stores: 2, categories: 1, weeks: 60, seed: 3, lastWeek: '2025-12-29' });
    const season = { forecast_horizon_weeks: 4, replenishment_strategy: 'weekly', dc_holdback_percentage: 0.15 };
    const early = await api.post(RUN, { session_id: 's-1', workflow: 'season-planning', parameters: { ...season, season_start_date: '2025-12-22' } });
    const error = expectError(early, 422, 'INVALID_PARAMETERS');
    expect(error.message).toContain('before the sales history ends');
    expect(error.details).toMatchObject({ last_history_week: '2025-12-29', earliest_start: '2026-01-05' });
    // Named by the field, as a schema failure is, for forms to show it there.
    expect(issuesOf(error)).toEqual([{ path: 'season_start_date', message: 'must be on or after 2026-01-05: the sales history runs to 2026-01-04' }]);
    expect(error.suggestions[0]).toBe('start the season on or after 2026-01-05');
    expect((await api.engine.listRuns()).total).toBe(0);
    const onTime = await api.post(RUN, { session_id: 's-1', workflow: 'season-planning', parameters: { ...season, season_start_date: '2026-01-05' } });
    expect(onTime.status).toBe(202);
  });

  it('refuses a season-planning parameter it does not know with 422 naming it, instead of running on the default', async () => {
    const api = await h.serve({ season: true });
    await loadSyntheticData(api.t.store, { stores: 2, categories: 1, weeks: 60, seed: 3, lastWeek: '2025-12-29' });
    const season = { forecast_horizon_weeks: 4, season_start_date: '2026-01-05', replenishment_strategy: 'weekly', dc_holdback_percentage: 0.15 };
    const misspelled = await api.post(RUN, { session_id: 's-1', workflow: 'season-planning', parameters: { ...season, variance_treshold: 0.05 } });
    const error = expectError(misspelled, 422, 'INVALID_PARAMETERS');
    expect(issuesOf(error).map((i) => i.path)).toEqual(['variance_treshold']);
    expect(issuesOf(error)[0]!.message).toContain('variance_threshold');
    expect((await api.engine.listRuns()).total).toBe(0);
  });

  it('answers 404 NOT_FOUND for a workflow that is not registered', async () => {
    const api = await h.serve();
    const error = expectError(await api.post(RUN, { session_id: 's-1', workflow: 'nope', parameters: {} }), 404, 'NOT_FOUND');
    expect(error.message).toContain('nope');
    expect(error.suggestions.join(' ')).toContain('review');
  });

  it('returns the same run for the same idempotency key instead of starting another', async () => {
    const api = await h.serve();
    const body = { session_id: 's-1', workflow: 'review', parameters: { topic: 'tides' }, idempotency_key: 'order-7' };
    const first = await api.post<{ run_id: string }>(RUN, body);
    const second = await api.post<{ run_id: string }>(RUN, body);
    expect([first.status, second.status]).toEqual([202, 202]);
    expect(second.body.run_id).toBe(first.body.run_id);
    expect((await api.engine.listRuns()).total).toBe(1);
    const other = await api.post<{ run_id: string }>(RUN, { ...body, idempotency_key: 'order-8' });
    expect(other.body.run_id).not.toBe(first.body.run_id);
  });

  it('refuses an idempotency key that already started a run of another workflow with 409 CONFLICT', async () => {
    const api = await h.serve();
    await api.post(RUN, { session_id: 's-1', workflow: 'review', parameters: { topic: 'tides' }, idempotency_key: 'k-1' });
    expectError(await api.post(RUN, { session_id: 's-1', workflow: 'fragile', parameters: {}, idempotency_key: 'k-1' }), 409, 'CONFLICT');
  });

  it('asks for the workflow with 400 INCOMPLETE_INPUT when several are registered and none is the default', async () => {
    const api = await h.serve();
    const error = expectError(await api.post(RUN, { session_id: 's-1', parameters: {} }), 400, 'INCOMPLETE_INPUT');
    expect(issuesOf(error)).toEqual([{ path: 'body.workflow', message: 'is required' }]);
    expect(error.suggestions.join(' ')).toMatch(/review.*fragile.*slow/);
  });

  it('starts the configured default workflow when the request names none', async () => {
    const api = await h.serve({ config: { defaultWorkflow: 'review' } });
    const reply = await api.post<{ run_id: string }>(RUN, { session_id: 's-1', parameters: { topic: 'tides' } });
    expect(reply.status).toBe(202);
    expect((await api.engine.status(reply.body.run_id)).workflow).toBe('review');
  });

  it('starts the only registered workflow when the request names none', async () => {
    const api = await h.serve({ workflows: ['fragile'] });
    const reply = await api.post<{ run_id: string }>(RUN, { session_id: 's-1', parameters: {} });
    expect(reply.status).toBe(202);
    expect((await api.engine.settled(reply.body.run_id)).workflow).toBe('fragile');
  });
});
