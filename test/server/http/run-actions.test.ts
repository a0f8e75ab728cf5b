// Acting on runs over HTTP: cancel, retry a failed run, and roll a run back to an earlier phase.
import { expect, it } from 'vitest';
import type { z } from 'zod';
import type { runStatus } from '../../../src/server/schemas.js';
import { describeEachStore } from '../../support/stores.js';
import { expectError, issuesOf, useServers } from './harness.js';

type RunView = z.output<typeof runStatus>;

describeEachStore('HTTP: cancel, retry, rollback', (kind) => {
  const h = useServers(kind);

  it('takes a cancel with a JSON content type and no body as one without a reason (clients send the header anyway)', async () => {
    const api = await h.serve();
    const id = await api.startRun('slow', {});
    await api.hold.started;
    const reply = await api.post<RunView>(`/api/runs/${id}/cancel`, undefined, { 'content-type': 'application/json' });
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ run_id: id, state: 'cancelled' });
    // A route that needs a body still says which: 400 INCOMPLETE_INPUT, not "Body cannot be empty".
    const run = await api.post('/api/orchestrator/run-workflow', undefined, { 'content-type': 'application/json' });
    expect(run.status).toBe(400);
    expect(run.body).toMatchObject({ error_type: 'INCOMPLETE_INPUT' });
  });

  it('cancels a running run: 200 with state cancelled, and its agent is stopped', async () => {
    const api = await h.serve();
    const id = await api.startRun('slow', {});
    await api.hold.started;
    const reply = await api.post<RunView>(`/api/runs/${id}/cancel`, { reason: 'plans changed' });
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ run_id: id, state: 'cancelled', phase: 'hold', waiting_for: null });
    expect(reply.body.finished_at).not.toBeNull();
    const events = await api.engine.readEvents(id);
    expect(events.at(-2)).toMatchObject({ type: 'run_state', payload: { to: 'cancelled', reason: 'plans changed' } });
    expect(events.at(-1)).toMatchObject({ type: 'workflow_complete', payload: { state: 'cancelled' } });
  });

  it('cancels a waiting run without a body and closes what it waited for', async () => {
    const api = await h.serve();
    const id = await api.startRun('review', { topic: 'tides' });
    const waiting = await api.engine.settled(id);
    const reply = await api.post<RunView>(`/api/runs/${id}/cancel`);
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ state: 'cancelled', waiting_for: null });
    const [wait] = await api.engine.waits(id);
    expect(wait).toMatchObject({ id: waiting.waitingFor?.id, status: 'cancelled' });
  });

  it('refuses to cancel a completed run with 409 INVALID_TRANSITION', async () => {
    const api = await h.serve();
    const id = await api.startRun('fragile', {});
    await api.engine.settled(id);
    const error = expectError(await api.post(`/api/runs/${id}/cancel`, {}), 409, 'INVALID_TRANSITION');
    expect(error.details).toMatchObject({ from: 'completed', to: 'cancelled' });
    // Said as what it is, not as the transition table's "allowed from completed: running".
    expect(error.message).toBe(`run "${id}" has already ended completed: there is nothing to cancel`);
    expect(error.suggestions.join(' ')).not.toContain('allowed from');
    expect((await api.engine.status(id)).state).toBe('completed');
  });

  it('answers 404 NOT_FOUND when cancelling, retrying or rolling back an unknown run', async () => {
    const api = await h.serve();
    expectError(await api.post('/api/runs/ghost/cancel', {}), 404, 'NOT_FOUND');
    expectError(await api.post('/api/runs/ghost/retry'), 404, 'NOT_FOUND');
    expectError(await api.post('/api/runs/ghost/rollback', { to_phase: 'prepare' }), 404, 'NOT_FOUND');
  });

  it('retries a failed run: it answers running, then completes when the agent succeeds the second time', async () => {
    const api = await h.serve();
    const id = await api.startRun('fragile', { key: 'retry-me', failures: 1 });
    const failed = await api.engine.settled(id);
    expect(failed).toMatchObject({ state: 'failed', phase: 'work', error: { error_type: 'AGENT_EXECUTION_ERROR', message: 'refused call 1' } });

    const reply = await api.post<RunView>(`/api/runs/${id}/retry`);
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ run_id: id, state: 'running', phase: 'work', error: null, finished_at: null });
    const done = await api.engine.settled(id);
    expect(done).toMatchObject({ state: 'completed', result: { ok: true }, completedPhases: ['check', 'work'] });
    expect((await api.get<RunView>(`/api/runs/${id}`)).body).toMatchObject({ state: 'completed', percent: 100 });
  });

  it('refuses to retry a run that has not failed with 409 CONFLICT', async () => {
    const api = await h.serve();
    const waiting = await api.startRun('review', { topic: 'tides' });
    await api.engine.settled(waiting);
    const completed = await api.startRun('fragile', {});
    await api.engine.settled(completed);
    for (const id of [waiting, completed]) {
      const error = expectError(await api.post(`/api/runs/${id}/retry`), 409, 'CONFLICT');
      expect(error.details).toEqual({ state: (await api.engine.status(id)).state });
    }
  });

  it('rolls a waiting run back to an earlier phase, which runs again before the run waits anew', async () => {
    const api = await h.serve();
    const id = await api.startRun('review', { topic: 'tides' });
    const first = await api.engine.settled(id);
    const reply = await api.post<RunView>(`/api/runs/${id}/rollback`, { to_phase: 'prepare', reason: 'new figures' });
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ run_id: id, state: 'running', phase: 'prepare', completed_phases: [], waiting_for: null });
    const again = await api.engine.settled(id);
    expect(again).toMatchObject({ state: 'waiting', phase: 'approve', completedPhases: ['prepare'] });
    expect(again.waitingFor?.id).not.toBe(first.waitingFor?.id);
    const [transition] = (await api.engine.readEvents(id)).filter((e) => e.type === 'phase_transition');
    expect(transition?.payload).toMatchObject({ from_phase: 'approve', to_phase: 'prepare', reason: 'new figures' });
  });

  it('rolls a completed run back to its last phase', async () => {
    const api = await h.serve();
    const id = await api.startRun('fragile', { key: 'done' });
    await api.engine.settled(id);
    const reply = await api.post<RunView>(`/api/runs/${id}/rollback`, { to_phase: 'work' });
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ state: 'running', phase: 'work', completed_phases: ['check'], result: null });
    expect(await api.engine.settled(id)).toMatchObject({ state: 'completed', completedPhases: ['check', 'work'] });
  });

  it('refuses a rollback to a later or unknown phase with 409 INVALID_TRANSITION naming the allowed phases', async () => {
    const api = await h.serve();
    const id = await api.startRun('review', { topic: 'tides' });
    await api.engine.settled(id);
    for (const phase of ['finish', 'approve', 'nowhere']) {
      const error = expectError(await api.post(`/api/runs/${id}/rollback`, { to_phase: phase }), 409, 'INVALID_TRANSITION');
      expect(error.details).toEqual({ from: 'approve', to: phase, allowed: ['prepare'] });
    }
    expect((await api.engine.status(id)).state).toBe('waiting');
  });

  it('refuses to roll back a running run with 409 CONFLICT', async () => {
    const api = await h.serve();
    const id = await api.startRun('slow', {});
    await api.hold.started;
    expectError(await api.post(`/api/runs/${id}/rollback`, { to_phase: 'hold' }), 409, 'CONFLICT');
  });

  it('refuses a rollback without to_phase with 400 INCOMPLETE_INPUT naming body.to_phase', async () => {
    const api = await h.serve();
    const id = await api.startRun('review', { topic: 'tides' });
    await api.engine.settled(id);
    const error = expectError(await api.post(`/api/runs/${id}/rollback`, { reason: 'why not' }), 400, 'INCOMPLETE_INPUT');
    expect(issuesOf(error)).toEqual([{ path: 'body.to_phase', message: 'is required' }]);
  });

  it('refuses a rollback without any body as incomplete (400), like one without to_phase', async () => {
    const api = await h.serve();
    const id = await api.startRun('review', { topic: 'tides' });
    await api.engine.settled(id);
    const error = expectError(await api.post(`/api/runs/${id}/rollback`), 400, 'INCOMPLETE_INPUT');
    expect(issuesOf(error).map((i) => i.path)).toEqual(['body']);
  });
});
