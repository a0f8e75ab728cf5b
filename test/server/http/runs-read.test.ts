// Reading runs over HTTP: the filtered, paginated list, one run's status, its events after a sequence number and its handoffs.
import { expect, it } from 'vitest';
import type { z } from 'zod';
import type { eventList, handoffList, runList, runStatus } from '../../../src/server/schemas.js';
import { describeEachStore } from '../../support/stores.js';
import { expectError, issuesOf, useServers, type Api } from './harness.js';

type RunView = z.output<typeof runStatus>;
type RunListView = z.output<typeof runList>;

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

describeEachStore('HTTP: reading runs', (kind) => {
  const h = useServers(kind);

  /** Three settled runs: review (s-a, waiting), review (s-b, waiting), fragile (s-a, completed). */
  async function threeRuns(api: Api): Promise<{ reviewA: string; reviewB: string; fragileA: string }> {
    const reviewA = await api.startRun('review', { topic: 'a' }, 's-a');
    await api.engine.settled(reviewA);
    const reviewB = await api.startRun('review', { topic: 'b' }, 's-b');
    await api.engine.settled(reviewB);
    const fragileA = await api.startRun('fragile', {}, 's-a');
    await api.engine.settled(fragileA);
    return { reviewA, reviewB, fragileA };
  }

  const ids = (list: RunListView) => list.runs.map((r) => r.run_id).sort();

  it('lists every run with the total, the default limit and offset 0', async () => {
    const api = await h.serve();
    const runs = await threeRuns(api);
    const reply = await api.get<RunListView>('/api/runs');
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ total: 3, limit: 50, offset: 0 });
    expect(ids(reply.body)).toEqual(Object.values(runs).sort());
  });

  it('filters the list by workflow, by state and by session', async () => {
    const api = await h.serve();
    const { reviewA, reviewB, fragileA } = await threeRuns(api);

    const byWorkflow = await api.get<RunListView>('/api/runs?workflow=review');
    expect([byWorkflow.body.total, ids(byWorkflow.body)]).toEqual([2, [reviewA, reviewB].sort()]);
    const byState = await api.get<RunListView>('/api/runs?state=completed');
    expect([byState.body.total, ids(byState.body)]).toEqual([1, [fragileA]]);
    const bySession = await api.get<RunListView>('/api/runs?session_id=s-a');
    expect([bySession.body.total, ids(bySession.body)]).toEqual([2, [reviewA, fragileA].sort()]);
    const combined = await api.get<RunListView>('/api/runs?session_id=s-a&state=waiting&workflow=review');
    expect([combined.body.total, ids(combined.body)]).toEqual([1, [reviewA]]);
    const none = await api.get<RunListView>('/api/runs?workflow=slow');
    expect(none.body).toEqual({ runs: [], total: 0, limit: 50, offset: 0 });
  });

  it('pages through the list with limit and offset while total counts every match', async () => {
    const api = await h.serve();
    const runs = await threeRuns(api);
    const pages = [];
    for (const offset of [0, 1, 2, 3]) {
      const reply = await api.get<RunListView>(`/api/runs?limit=1&offset=${offset}`);
      expect(reply.body).toMatchObject({ total: 3, limit: 1, offset });
      pages.push(...reply.body.runs.map((r) => r.run_id));
    }
    expect(pages).toHaveLength(3);
    expect([...pages].sort()).toEqual(Object.values(runs).sort());
    expect((await api.get<RunListView>('/api/runs?limit=2&offset=1')).body.runs).toHaveLength(2);
  });

  it('refuses a bad state, limit or offset in the query with 422 naming the query field', async () => {
    const api = await h.serve();
    for (const [query, field] of [
      ['state=sleeping', 'querystring.state'],
      ['limit=0', 'querystring.limit'],
      ['limit=501', 'querystring.limit'],
      ['offset=-1', 'querystring.offset'],
      ['limit=ten', 'querystring.limit'],
    ] as const) {
      const error = expectError(await api.get(`/api/runs?${query}`), 422, 'INVALID_PARAMETERS');
      expect(
        issuesOf(error).map((i) => i.path),
        query,
      ).toEqual([field]);
    }
  });

  it("shows a waiting run's state, phase, percent, completed phases and what it waits for", async () => {
    const api = await h.serve();
    const id = await api.startRun('review', { topic: 'tides' }, 's-1');
    await api.engine.settled(id);
    const reply = await api.get<RunView>(`/api/runs/${id}`);
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({
      run_id: id,
      workflow: 'review',
      session_id: 's-1',
      state: 'waiting',
      phase: 'approve',
      percent: 33,
      completed_phases: ['prepare'],
      waiting_for: { approval_id: expect.any(String) as unknown, kind: 'approval', role: null, phase: 'approve', data: { topic: 'tides' }, deadline_at: null },
      parameters: { topic: 'tides', copies: 1 },
      result: null,
      error: null,
      finished_at: null,
    });
    const waits = await api.engine.waits(id);
    expect(reply.body.waiting_for?.approval_id).toBe(waits[0]?.id);
    expect(reply.body.created_at).toMatch(ISO);
    expect(reply.body.updated_at).toMatch(ISO);
    expect(reply.body.last_seq).toBe((await api.engine.status(id)).lastSeq);
  });

  it('shows a completed run at 100 percent with its result and finish time and nothing to wait for', async () => {
    const api = await h.serve();
    const id = await api.startRun('fragile', {});
    await api.engine.settled(id);
    const reply = await api.get<RunView>(`/api/runs/${id}`);
    expect(reply.body).toMatchObject({ state: 'completed', percent: 100, completed_phases: ['check', 'work'], waiting_for: null, result: { ok: true } });
    expect(reply.body.finished_at).toMatch(ISO);
  });

  it('answers 404 NOT_FOUND for the status, events and history of an unknown run', async () => {
    const api = await h.serve();
    for (const path of ['/api/runs/no-such-run', '/api/runs/no-such-run/events', '/api/runs/no-such-run/history']) {
      const error = expectError(await api.get(path), 404, 'NOT_FOUND');
      expect(error.message, path).toContain('no-such-run');
    }
  });

  it('returns the events after `since` in order, each with type, run id, sequence number and ISO timestamp', async () => {
    const api = await h.serve();
    const id = await api.startRun('review', { topic: 'tides' });
    const status = await api.engine.settled(id);
    const all = await api.get<z.output<typeof eventList>>(`/api/runs/${id}/events`);
    expect(all.status).toBe(200);
    expect(all.body.events.map((e) => e.seq)).toEqual(Array.from({ length: status.lastSeq }, (_, i) => i + 1));
    expect(all.body.events[0]).toMatchObject({ type: 'run_created', seq: 1 });
    expect(all.body.events.at(-1)).toMatchObject({ type: 'approval_required', phase: 'approve', approval_id: status.waitingFor?.id });
    for (const event of all.body.events) {
      expect(event).toMatchObject({
        type: expect.any(String) as unknown,
        run_id: id,
        seq: expect.any(Number) as unknown,
        timestamp: expect.stringMatching(ISO) as unknown,
      });
    }

    const since = 2;
    const later = await api.get<z.output<typeof eventList>>(`/api/runs/${id}/events?since=${since}`);
    expect(later.body.events).toEqual(all.body.events.filter((e) => e.seq > since));
    const limited = await api.get<z.output<typeof eventList>>(`/api/runs/${id}/events?since=1&limit=2`);
    expect(limited.body.events.map((e) => e.seq)).toEqual([2, 3]);
    const none = await api.get<z.output<typeof eventList>>(`/api/runs/${id}/events?since=${status.lastSeq}`);
    expect(none.body).toEqual({ events: [] });
  });

  it('refuses a query parameter it does not know with 422 naming it, instead of answering as if it were absent', async () => {
    const api = await h.serve();
    const id = await api.startRun('fragile', {});
    // `since` is the events' parameter: on the list it would have silently returned every run.
    for (const [path, field] of [
      ['/api/runs?since=2026-01-01', 'querystring.since'],
      ['/api/runs?state=waiting&sesion_id=s-a', 'querystring.sesion_id'],
      [`/api/runs/${id}/events?after=3`, 'querystring.after'],
    ] as const) {
      const error = expectError(await api.get(path), 422, 'INVALID_PARAMETERS');
      expect(issuesOf(error), path).toEqual([{ path: field, message: 'is not a known field' }]);
      expect(error.message).toBe(`the request is invalid: ${field} is not a known field`);
    }
  });

  it('refuses a negative or non-numeric `since` with 422', async () => {
    const api = await h.serve();
    const id = await api.startRun('fragile', {});
    for (const since of ['-1', 'soon']) {
      const error = expectError(await api.get(`/api/runs/${id}/events?since=${since}`), 422, 'INVALID_PARAMETERS');
      expect(issuesOf(error).map((i) => i.path)).toEqual(['querystring.since']);
    }
  });

  it('lists the handoffs of a run: which agent passed what to which', async () => {
    const api = await h.serve();
    const id = await api.startRun('fragile', { key: 'h' });
    await api.engine.settled(id);
    const reply = await api.get<z.output<typeof handoffList>>(`/api/runs/${id}/history`);
    expect(reply.status).toBe(200);
    expect(reply.body.handoffs.map((x) => [x.from_phase, x.from_agent, x.to_phase, x.to_agent])).toEqual([
      [null, null, 'check', 'worker'],
      ['check', 'worker', 'work', 'picky'],
    ]);
    expect(reply.body.handoffs[0]?.passed).toEqual({ parameters: { key: 'h', failures: 0 }, results: {} });
    expect(reply.body.handoffs[1]?.passed).toEqual({
      parameters: { key: 'h', failures: 0 },
      previous: { phase: 'check', agent: 'worker', output: { done: true, call: 1 } },
      results: { check: { done: true, call: 1 } },
    });
    for (const handoff of reply.body.handoffs) expect(handoff.at).toMatch(ISO);
  });

  it('lists no handoffs for a run whose first agent has not finished', async () => {
    const api = await h.serve();
    const id = await api.startRun('slow', {});
    await api.hold.started;
    expect((await api.get(`/api/runs/${id}/history`)).body).toEqual({ handoffs: [] });
  });
});
