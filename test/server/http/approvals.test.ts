// POST /api/runs/{id}/approvals/{approval_id}: accept, modify and reject an approval, and the ways a resolution is refused.
import { expect, it } from 'vitest';
import type { z } from 'zod';
import type { runStatus } from '../../../src/server/schemas.js';
import { describeEachStore } from '../../support/stores.js';
import { expectError, issuesOf, useServers, type Api } from './harness.js';

type RunView = z.output<typeof runStatus>;

describeEachStore('HTTP: approvals', (kind) => {
  const h = useServers(kind);

  /** A review run waiting at its approval, with the approval's id as the API shows it. */
  async function waitingRun(api: Api): Promise<{ id: string; approval: string; path: string }> {
    const id = await api.startRun('review', { topic: 'tides' });
    await api.engine.settled(id);
    const status = await api.get<RunView>(`/api/runs/${id}`);
    const approval = status.body.waiting_for?.approval_id;
    if (approval === undefined) throw new Error('the run does not wait for an approval');
    return { id, approval, path: `/api/runs/${id}/approvals/${approval}` };
  }

  it('accepts an approval: the run goes on and completes', async () => {
    const api = await h.serve();
    const { id, path } = await waitingRun(api);
    const reply = await api.post<RunView>(path, { action: 'accept', comment: 'looks right' });
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ run_id: id, state: 'running', phase: 'finish', completed_phases: ['prepare', 'approve'], waiting_for: null });
    expect(await api.engine.settled(id)).toMatchObject({ state: 'completed', percent: 100 });
    const resolved = (await api.engine.readEvents(id)).find((e) => e.type === 'approval_resolved');
    expect(resolved?.payload).toMatchObject({ resolution: { action: 'accept', comment: 'looks right' } });
  });

  it('rejects an approval: the run ends as rejected', async () => {
    const api = await h.serve();
    const { id, path } = await waitingRun(api);
    const reply = await api.post<RunView>(path, { action: 'reject', comment: 'not this season' });
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ run_id: id, state: 'rejected', waiting_for: null });
    expect(reply.body.finished_at).not.toBeNull();
    expect((await api.get<RunView>(`/api/runs/${id}`)).body.state).toBe('rejected');
  });

  it('modifies an approval with data: the phase before it runs again and the run asks anew', async () => {
    const api = await h.serve();
    const { id, approval, path } = await waitingRun(api);
    const reply = await api.post<RunView>(path, { action: 'modify', data: { topic: 'currents' } });
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ state: 'running', phase: 'prepare' });
    const again = await api.engine.settled(id);
    expect(again).toMatchObject({ state: 'waiting', phase: 'approve' });
    expect(again.waitingFor?.id).not.toBe(approval);
  });

  it('refuses a modify without data as incomplete (400) naming data, and the wait stays open', async () => {
    const api = await h.serve();
    const { id, path } = await waitingRun(api);
    const error = expectError(await api.post(path, { action: 'modify' }), 400, 'INCOMPLETE_INPUT');
    expect(issuesOf(error).map((i) => i.path)).toEqual(['data']);
    expect((await api.engine.status(id)).state).toBe('waiting');
  });

  it('refuses a second resolution of the same approval with 409 CONFLICT', async () => {
    const api = await h.serve();
    const { id, path } = await waitingRun(api);
    expect((await api.post(path, { action: 'reject' })).status).toBe(200);
    const error = expectError(await api.post(path, { action: 'accept' }), 409, 'CONFLICT');
    expect(error.details).toEqual({ wait_status: 'resolved', run_state: 'rejected' });
    expect((await api.engine.status(id)).state).toBe('rejected');
  });

  it('answers 404 NOT_FOUND for an unknown approval, for an approval of another run and for an unknown run', async () => {
    const api = await h.serve();
    const first = await waitingRun(api);
    const second = await waitingRun(api);
    expectError(await api.post(`/api/runs/${first.id}/approvals/no-such-approval`, { action: 'accept' }), 404, 'NOT_FOUND');
    expectError(await api.post(`/api/runs/${first.id}/approvals/${second.approval}`, { action: 'accept' }), 404, 'NOT_FOUND');
    expectError(await api.post(`/api/runs/ghost/approvals/${first.approval}`, { action: 'accept' }), 404, 'NOT_FOUND');
    expect((await api.engine.status(second.id)).state).toBe('waiting');
  });

  it('refuses an action that is not accept, modify or reject with 422 naming body.action', async () => {
    const api = await h.serve();
    const { id, path } = await waitingRun(api);
    const error = expectError(await api.post(path, { action: 'approve' }), 422, 'INVALID_PARAMETERS');
    expect(issuesOf(error).map((i) => i.path)).toEqual(['body.action']);
    expect((await api.engine.status(id)).state).toBe('waiting');
  });

  it('refuses an approval without an action as incomplete (400) naming action, and the wait stays open', async () => {
    const api = await h.serve();
    const { id, path } = await waitingRun(api);
    const error = expectError(await api.post(path, { comment: 'hmm' }), 400, 'INCOMPLETE_INPUT');
    expect(issuesOf(error).map((i) => i.path)).toEqual(['action']);
    expect((await api.engine.status(id)).state).toBe('waiting');
  });

  it('refuses data sent with accept or reject (422 pointing at modify) rather than dropping it, and the wait stays open', async () => {
    const api = await h.serve();
    const { id: runId, path } = await waitingRun(api);
    for (const action of ['accept', 'reject']) {
      const error = expectError(await api.post(path, { action, data: { manufacturing_quantity: 1 } }), 422, 'INVALID_PARAMETERS');
      expect(issuesOf(error)).toEqual([{ path: 'data', message: `is not read with ${action}: send action "modify" to accept with changed values` }]);
    }
    expect((await api.engine.status(runId)).state).toBe('waiting');
  });
});
