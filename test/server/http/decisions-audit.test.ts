// Who decided what, over real HTTP with actors' tokens: the season's buy as a two-person approval (buyer and merchandiser), roles checked, and the audit across runs.
import { expect, it } from 'vitest';
import { ActorDirectory } from '../../../src/actors/directory.js';
import { describeEachStore } from '../../support/stores.js';
import { loadSmallChain, season } from '../../workflows/season-planning/support.js';
import { expectError, useServers, type Api, type ErrorView } from './harness.js';

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const RUN = '/api/orchestrator/run-workflow';

interface Decision {
  run_id: string;
  workflow: string;
  type: string;
  at: string;
  actor: { id: string; name: string; token_id: string | null };
  phase?: string;
  action?: string;
  role?: string;
  reason?: string;
}
interface Audit {
  decisions: Decision[];
  next: string | null;
  next_since: string | null;
}
interface Status {
  state: string;
  phase: string | null;
  started_by: { name: string } | null;
  waiting_for: { approval_id: string; kind: string; votes: { actor: { name: string }; role: string }[]; still_needed: string[] } | null;
}

async function people(api: Api) {
  const directory = ActorDirectory.of(api.t.store);
  const ana = await directory.add({ name: 'ana', roles: ['buyer'] });
  const ben = await directory.add({ name: 'ben', roles: ['merchandiser'] });
  const cy = await directory.add({ name: 'cy', roles: ['analyst'] });
  const auditor = await directory.add({ name: 'aud', scope: 'read' });
  return { ana: ana.token.token, ben: ben.token.token, cy: cy.token.token, auditor: auditor.token.token, anaId: ana.actor.id };
}

describeEachStore('HTTP: decisions by people', (kind) => {
  const h = useServers(kind);

  it('keeps a person who may not decide the buy from ending or undoing it by cancel or rollback; the starter and a buyer may', async () => {
    const api = await h.serve({ season: true });
    await loadSmallChain(api.t.store);
    const p = await people(api);
    const start = async (token: string) => {
      const started = await api.post<{ run_id: string }>(RUN, { session_id: 's1', workflow: 'season-planning', parameters: season(4) }, bearer(token));
      expect(started.status, JSON.stringify(started.body)).toBe(202);
      await api.engine.settled(started.body.run_id);
      return started.body.run_id;
    };
    const byBen = await start(p.ben);
    const cancelled = await api.post<ErrorView>(`/api/runs/${byBen}/cancel`, { reason: 'no' }, bearer(p.cy));
    expectError(cancelled, 403, 'FORBIDDEN');
    expect(cancelled.body.message).toContain('needs buyer: cy holds none and may not cancel it');
    expectError(await api.post(`/api/runs/${byBen}/rollback`, { to_phase: 'demand' }, bearer(p.cy)), 403, 'FORBIDDEN');
    expect((await api.engine.status(byBen)).state).toBe('waiting');
    // Its starter may cancel it, and so may a buyer (who could have rejected it).
    expect((await api.post(`/api/runs/${byBen}/cancel`, { reason: 'mine' }, bearer(p.ben))).status).toBe(200);
    const another = await start(p.ben);
    expect((await api.post(`/api/runs/${another}/cancel`, { reason: 'buyer' }, bearer(p.ana))).status).toBe(200);
  });

  it('makes the buy a two-person approval: the buyer, then the merchandiser, each once; others are refused naming the roles', async () => {
    const api = await h.serve({ season: true, moduleEnv: { BATON_BUY_APPROVERS: 'buyer,merchandiser' } });
    await loadSmallChain(api.t.store);
    const p = await people(api);
    const started = await api.post<{ run_id: string }>(RUN, { session_id: 's1', workflow: 'season-planning', parameters: season(4) }, bearer(p.ana));
    expect(started.status, JSON.stringify(started.body)).toBe(202);
    const runId = started.body.run_id;
    const waiting = await api.engine.settled(runId);
    expect(waiting.waitingFor?.phase).toBe('manufacturing_approval');
    const approve = (token: string, action = 'accept') =>
      api.post<Status & ErrorView>(`/api/runs/${runId}/approvals/${waiting.waitingFor!.id}`, { action }, bearer(token));

    const outsider = await approve(p.cy);
    expectError(outsider, 403, 'FORBIDDEN');
    expect(outsider.body.message).toMatch(/buyer|merchandiser/);
    expectError(await approve(p.auditor), 403, 'FORBIDDEN');

    const first = await approve(p.ana);
    expect(first.status).toBe(200);
    expect(first.body.state).toBe('waiting');
    expect(first.body.started_by?.name).toBe('ana');
    expect(first.body.waiting_for).toMatchObject({ policy: { quorum: ['buyer', 'merchandiser'] }, still_needed: ['merchandiser'] });
    expect(first.body.waiting_for?.votes.map((v) => [v.actor.name, v.role])).toEqual([['ana', 'buyer']]);
    const twice = await approve(p.ana);
    expectError(twice, 409, 'CONFLICT');
    expect(twice.body.message).toMatch(/different/);

    const second = await approve(p.ben);
    expect(second.status).toBe(200);
    const after = await api.engine.settled(runId);
    expect(after.state).toBe('completed');

    const log = (
      await api.get<{
        events: { type: string; actor?: { name: string }; resolution?: { by?: { name: string }; votes?: { actor: { name: string }; role: string }[] } }[];
      }>(`/api/runs/${runId}/events?limit=1000`, bearer(p.auditor))
    ).body.events;
    expect(log.find((e) => e.type === 'run_created')?.actor?.name).toBe('ana');
    expect(log.filter((e) => e.type === 'approval_vote').map((e) => e.actor?.name)).toEqual(['ana']);
    const resolved = log.find((e) => e.type === 'approval_resolved');
    expect(resolved?.resolution?.by?.name).toBe('ben');
    const audit = (await api.get<Audit>(`/api/audit`, bearer(p.auditor))).body.decisions;
    expect(audit.map((d) => [d.actor.name, d.action, d.role ?? null])).toEqual([
      ['ana', 'start', null],
      ['ana', 'accept', 'buyer'],
      ['ben', 'accept', 'merchandiser'],
    ]);
    expect(resolved?.resolution?.votes?.map((v) => [v.actor.name, v.role])).toEqual([
      ['ana', 'buyer'],
      ['ben', 'merchandiser'],
    ]);
  });

  it("refuses the buy's approval to the buyer who started the season when self-approval is forbidden, and takes another buyer's", async () => {
    const api = await h.serve({ season: true, moduleEnv: { BATON_SELF_APPROVAL: 'forbid' } });
    await loadSmallChain(api.t.store);
    const directory = ActorDirectory.of(api.t.store);
    const ana = (await directory.add({ name: 'ana', roles: ['buyer'] })).token.token;
    const dan = (await directory.add({ name: 'dan', roles: ['buyer'] })).token.token;
    const started = await api.post<{ run_id: string }>(RUN, { session_id: 's1', workflow: 'season-planning', parameters: season(4) }, bearer(ana));
    const waiting = await api.engine.settled(started.body.run_id);
    const approve = (token: string) =>
      api.post<Status & ErrorView>(`/api/runs/${started.body.run_id}/approvals/${waiting.waitingFor!.id}`, { action: 'accept' }, bearer(token));
    const own = await approve(ana);
    expectError(own, 403, 'FORBIDDEN');
    expect(own.body.message).toMatch(/started/);
    expect((await approve(dan)).status).toBe(200);
    expect((await api.engine.settled(started.body.run_id)).state).toBe('completed');
  });

  it('lists decisions across runs by actor and time, to a read-only auditor, by name or id', async () => {
    const api = await h.serve({ workflows: ['review', 'slow'] });
    const p = await people(api);
    const first = await api.post<{ run_id: string }>(RUN, { session_id: 's', workflow: 'review', parameters: { topic: 'tides' } }, bearer(p.ana));
    const waiting = await api.engine.settled(first.body.run_id);
    expect(
      (await api.post(`/api/runs/${first.body.run_id}/approvals/${waiting.waitingFor!.id}`, { action: 'reject', comment: 'not now' }, bearer(p.ben))).status,
    ).toBe(200);
    const middle = new Date().toISOString();
    await new Promise((resolve) => setTimeout(resolve, 5));
    const second = await api.post<{ run_id: string }>(RUN, { session_id: 's', workflow: 'slow', parameters: {} }, bearer(p.ben));
    await api.hold.started;
    expect((await api.post(`/api/runs/${second.body.run_id}/cancel`, { reason: 'wrong season' }, bearer(p.ana))).status).toBe(200);
    api.hold.release();

    const all = (await api.get<Audit>('/api/audit', bearer(p.auditor))).body;
    expect(all.decisions.map((d) => [d.actor.name, d.action, d.workflow])).toEqual([
      ['ana', 'start', 'review'],
      ['ben', 'reject', 'review'],
      ['ben', 'start', 'slow'],
      ['ana', 'cancel', 'slow'],
    ]);
    expect(all.decisions[1]).toMatchObject({ phase: 'approve', reason: 'not now' });
    expect(all.decisions[3]).toMatchObject({ reason: 'wrong season', run_id: second.body.run_id });
    expect(all.next_since).toBeNull();
    expect(all.next).toBeNull();

    const byAna = (await api.get<Audit>('/api/audit?actor=ana', bearer(p.auditor))).body.decisions;
    expect(byAna.map((d) => d.action)).toEqual(['start', 'cancel']);
    expect((await api.get<Audit>(`/api/audit?actor=${p.anaId}`, bearer(p.auditor))).body.decisions).toEqual(byAna);
    const later = (await api.get<Audit>(`/api/audit?since=${encodeURIComponent(middle)}`, bearer(p.auditor))).body.decisions;
    expect(later.map((d) => d.action)).toEqual(['start', 'cancel']);
    const page = (await api.get<Audit>('/api/audit?limit=2', bearer(p.auditor))).body;
    expect(page.decisions).toHaveLength(2);
    expect(page.next_since).toBe(page.decisions[1]?.at);
    // Following `next` one decision at a time lists each exactly once, in order (`since` = next_since repeated the last).
    const paged: Audit['decisions'] = [];
    let cursor: string | null = null;
    for (let pages = 0; pages < 10; pages++) {
      const reply: Audit = (await api.get<Audit>(`/api/audit?limit=1${cursor ? `&after=${cursor}` : ''}`, bearer(p.auditor))).body;
      paged.push(...reply.decisions);
      cursor = reply.next;
      if (cursor === null) break;
    }
    expect(paged).toEqual(all.decisions);
    expectError(await api.get('/api/audit?after=not-a-cursor', bearer(p.auditor)), 422, 'INVALID_PARAMETERS');

    expect((await api.get<Audit>('/api/audit?actor=nobody', bearer(p.auditor))).body.decisions).toEqual([]);
    expectError(await api.get('/api/audit?since=yesterday', bearer(p.auditor)), 422, 'INVALID_PARAMETERS');
    expectError(await api.get('/api/audit'), 401, 'UNAUTHORIZED');
  });
});
