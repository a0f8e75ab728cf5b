// Software delivery over HTTP: the seven /api/delivery routes on a real server, every transition out of every state a
// run can stand in (allowed or 409 naming the allowed next states), 403 for a role out of turn, the error vocabulary,
// and the run's live events on the WebSocket streams every run uses.
import { expect, it } from 'vitest';
import type { z } from 'zod';
import type { runStatus } from '../../../src/server/schemas.js';
import { DELIVERY_STATES, ROLES, STATES, TRANSITIONS, type DeliveryStatus, type Role } from '../../../src/workflows/software-delivery/index.js';
import { describeEachStore } from '../../support/stores.js';
import { TestClient } from '../stream/ws-client.js';
import { expectedAllowed } from '../../workflows/software-delivery/expected-table.js';
import { CHANGE, OUTPUTS, passingReport } from '../../workflows/software-delivery/support.js';
import { expectError, issuesOf, useServers, type Api } from './harness.js';

type Status = Omit<DeliveryStatus, 'created_at' | 'updated_at' | 'finished_at'> & { created_at: string; finished_at: string | null };
interface History {
  trail: { move: string; from_state: string; to_state: string; by: string; at: string; abandoned: boolean }[];
}

/** How a person parks a run at each state where a role must submit: the roles before it are played by agents. */
const PARK: Record<string, { automatic: Role[]; first?: unknown }> = {
  DISCOVERY: { automatic: [] },
  PLANNING: { automatic: [], first: OUTPUTS.DISCOVERY },
  IMPLEMENTATION: { automatic: ['Q_ASSISTANT'] },
  TESTING: { automatic: ['Q_ASSISTANT', 'CODE_WRITER'] },
  VERIFICATION: { automatic: ['Q_ASSISTANT', 'CODE_WRITER', 'TEST_AUDITOR'] },
  DEPLOYMENT: { automatic: ['Q_ASSISTANT', 'CODE_WRITER', 'TEST_AUDITOR', 'VERIFICATION_OVERSEER'] },
};

/**
 * A valid output for the move from a state to a target (the refused targets are sent the forward output); a test
 * report accounts for the test cases the parked run's TESTING was handed (`context`), as the testing gate requires.
 */
function outputFor(from: string, to: string, context: unknown): unknown {
  switch (from) {
    case 'DISCOVERY':
      return OUTPUTS.DISCOVERY;
    case 'PLANNING':
      return OUTPUTS.PLANNING;
    case 'IMPLEMENTATION':
      return OUTPUTS.IMPLEMENTATION;
    case 'TESTING': {
      const report = passingReport(context);
      if (to !== 'IMPLEMENTATION') return report;
      const [first, ...rest] = report.results;
      return { ...report, passed: rest.length, failed: 1, failures: [{ test: first!.test, message: 'failed' }], results: rest };
    }
    case 'VERIFICATION':
      return to === 'IMPLEMENTATION' ? OUTPUTS.VERIFICATION_REJECTED : OUTPUTS.VERIFICATION_APPROVED;
    default:
      return to === 'ERROR' ? OUTPUTS.DEPLOYMENT_FAILED : OUTPUTS.DEPLOYMENT_OK;
  }
}

/** Where a run that moved to `to` comes to rest: handoffs and states played by agents run on to the next person's state. */
function landing(to: (typeof DELIVERY_STATES)[number], automatic: readonly Role[]): string {
  for (const state of DELIVERY_STATES.slice(DELIVERY_STATES.indexOf(to))) {
    const owner = STATES[state].owner;
    if (state === 'COMPLETE' || state === 'ERROR' || (owner !== null && !automatic.includes(owner))) return state;
  }
  return 'COMPLETE';
}

describeEachStore('HTTP: software delivery', (kind) => {
  const h = useServers(kind);
  const serve = () => h.serve({ delivery: true, workflows: ['review'] });

  const start = async (api: Api, body: Record<string, unknown> = {}) => {
    const reply = await api.post<Status>('/api/delivery/runs', { project: 'acme', change: CHANGE, ...body });
    expect(reply.status, JSON.stringify(reply.body)).toBe(202);
    return reply.body.run_id;
  };
  const settled = async (api: Api, id: string) => {
    await api.engine.settled(id);
    return (await api.get<Status>(`/api/delivery/runs/${id}`)).body;
  };
  const advance = (api: Api, id: string, body: Record<string, unknown>) => api.post<Status>(`/api/delivery/runs/${id}/advance`, body);
  const parkAt = async (api: Api, state: string) => {
    const park = PARK[state]!;
    const id = await start(api, { automatic_roles: park.automatic });
    if (park.first) expect((await advance(api, id, { role: 'Q_ASSISTANT', output: park.first })).status).toBe(200);
    const status = await settled(api, id);
    expect(status).toMatchObject({ state, run_state: 'waiting' });
    return { id, status };
  };

  it('starts a change for a project with 202 at DISCOVERY, owned by Q_ASSISTANT, on the session delivery:<project>', async () => {
    const api = await serve();
    const reply = await api.post<Status>('/api/delivery/runs', { project: 'acme', change: CHANGE });
    expect(reply.status).toBe(202);
    expect(reply.body).toMatchObject({
      project: 'acme',
      change: CHANGE,
      state: 'DISCOVERY',
      owner: 'Q_ASSISTANT',
      description: STATES.DISCOVERY.description,
      percent: 0,
      session_id: 'delivery:acme',
    });
    expect(reply.body.created_at).toMatch(/^\d{4}-\d\d-\d\dT/);
    const status = await settled(api, reply.body.run_id);
    expect(status).toMatchObject({
      waiting_for: { role: 'Q_ASSISTANT', state: 'DISCOVERY' },
      expected_next: { action: 'advance', role: 'Q_ASSISTANT', states: ['PLANNING', 'ERROR'] },
    });
  });

  it('refuses a start without a change (400) or with an unusable project name (422)', async () => {
    const api = await serve();
    const missing = expectError(await api.post('/api/delivery/runs', { project: 'acme' }), 400, 'INCOMPLETE_INPUT');
    expect(issuesOf(missing).map((i) => i.path)).toEqual(['body.change']);
    expectError(await api.post('/api/delivery/runs', { project: '../etc', change: CHANGE }), 422, 'INVALID_PARAMETERS');
    expectError(await api.post('/api/delivery/runs', { project: 'acme', change: CHANGE, automatic_roles: ['JANITOR'] }), 422, 'INVALID_PARAMETERS');
  });

  it('carries a change from DISCOVERY to COMPLETE through advance, with status, history and stats along the way', async () => {
    const api = await serve();
    const id = await start(api);
    const moves: [Role, unknown, string][] = [
      ['Q_ASSISTANT', OUTPUTS.DISCOVERY, 'PLANNING'],
      ['Q_ASSISTANT', OUTPUTS.PLANNING, 'IMPLEMENTATION'],
      ['CODE_WRITER', OUTPUTS.IMPLEMENTATION, 'TESTING'],
      ['TEST_AUDITOR', OUTPUTS.TESTING_FAILED, 'IMPLEMENTATION'],
      ['CODE_WRITER', OUTPUTS.IMPLEMENTATION, 'TESTING'],
      ['TEST_AUDITOR', OUTPUTS.TESTING_PASSED, 'VERIFICATION'],
      ['VERIFICATION_OVERSEER', OUTPUTS.VERIFICATION_APPROVED, 'DEPLOYMENT'],
      ['RELEASE_MANAGER', OUTPUTS.DEPLOYMENT_OK, 'COMPLETE'],
    ];
    for (const [role, output, next] of moves) {
      const reply = await advance(api, id, { role, output });
      expect(reply.status, JSON.stringify(reply.body)).toBe(200);
      expect((await settled(api, id)).state).toBe(next);
    }
    const done = (await api.get<Status>(`/api/delivery/runs/${id}`)).body;
    expect(done).toMatchObject({ state: 'COMPLETE', percent: 100, run_state: 'completed', expected_next: { action: 'none' } });
    expect(done.finished_at).not.toBeNull();

    const history = await api.get<History>(`/api/delivery/runs/${id}/history`);
    expect(history.status).toBe(200);
    // Eight submissions and five handoffs (testing was handed over twice).
    expect(history.body.trail).toHaveLength(13);
    expect(history.body.trail.filter((e) => e.move === 'retry')).toMatchObject([{ from_state: 'TESTING', to_state: 'IMPLEMENTATION', by: 'TEST_AUDITOR' }]);
    expect(history.body.trail[0]?.at).toMatch(/^\d{4}-\d\d-\d\dT/);

    const stats = await api.get<Record<string, unknown>>('/api/delivery/projects/acme/stats');
    expect(stats.status).toBe(200);
    expect(stats.body).toMatchObject({
      project: 'acme',
      runs: 1,
      completed: 1,
      success_rate: 1,
      by_state: { COMPLETE: 1 },
      retries_by_state: [{ state: 'TESTING', count: 1 }],
      failures_by_state: [],
    });
    expect(stats.body.mean_duration_ms).toEqual(Date.parse(done.finished_at!) - Date.parse(done.created_at));
  });

  for (const from of Object.keys(PARK)) {
    it(`from ${from}, allows exactly the table's next states and refuses every other one with 409 naming them`, async () => {
      const api = await serve();
      const role = STATES[from as keyof typeof STATES].owner!;
      const { id: parked, status: before } = await parkAt(api, from);
      const context = before.waiting_for?.context;
      for (const to of DELIVERY_STATES) {
        if (expectedAllowed(from, to)) continue;
        const error = expectError(await advance(api, parked, { role, to_state: to, output: outputFor(from, to, context) }), 409, 'INVALID_TRANSITION');
        expect(error.details, `${from} → ${to}`).toEqual({ from, to, allowed: [...TRANSITIONS[from as keyof typeof TRANSITIONS]] });
        expect(error.details.allowed).toEqual(
          DELIVERY_STATES.filter((s) => expectedAllowed(from, s)).sort(
            (a, b) => (error.details.allowed as string[]).indexOf(a) - (error.details.allowed as string[]).indexOf(b),
          ),
        );
      }
      expect((await api.get<Status>(`/api/delivery/runs/${parked}`)).body).toMatchObject({ state: from, last_seq: before.last_seq });

      for (const to of DELIVERY_STATES.filter((s) => expectedAllowed(from, s))) {
        const { id, status } = await parkAt(api, from);
        // A move back is a retry (request-retry); one forward or to ERROR hands in the state's output (advance).
        const back = DELIVERY_STATES.indexOf(to) < DELIVERY_STATES.indexOf(from as (typeof DELIVERY_STATES)[number]);
        const reply = back
          ? await api.post<Status>(`/api/delivery/runs/${id}/request-retry`, { role, to_state: to, reasons: ['redo it'] })
          : await advance(api, id, {
              role,
              to_state: to,
              output: outputFor(from, to, status.waiting_for?.context),
              ...(to === 'ERROR' ? { reason: 'critical' } : {}),
            });
        expect(reply.status, `${from} → ${to}: ${JSON.stringify(reply.body)}`).toBe(200);
        const after = await settled(api, id);
        expect(after.state, `${from} → ${to}`).toBe(landing(to, PARK[from]!.automatic));
        const trail = (await api.get<History>(`/api/delivery/runs/${id}/history`)).body.trail;
        expect(
          trail.some((e) => e.from_state === from && e.to_state === to),
          `${from} → ${to} in the audit trail`,
        ).toBe(true);
      }
    });
  }

  it('refuses every move out of COMPLETE and ERROR with 409: nothing follows them', async () => {
    const api = await serve();
    const complete = await start(api, { automatic_roles: [...ROLES] });
    const error = await start(api, { automatic_roles: [...ROLES], script: { deployment_failures: 1 } });
    expect((await settled(api, complete)).state).toBe('COMPLETE');
    expect((await settled(api, error)).state).toBe('ERROR');
    for (const [id, from] of [
      [complete, 'COMPLETE'],
      [error, 'ERROR'],
    ] as const) {
      for (const to of DELIVERY_STATES) {
        const body = expectError(await advance(api, id, { role: 'RELEASE_MANAGER', to_state: to, output: OUTPUTS.DEPLOYMENT_OK }), 409, 'INVALID_TRANSITION');
        expect(body.details).toEqual({ from, to, allowed: [] });
      }
    }
    const withoutTarget = expectError(await advance(api, error, { role: 'RELEASE_MANAGER', output: OUTPUTS.DEPLOYMENT_OK }), 409, 'INVALID_TRANSITION');
    expect(withoutTarget.suggestions.join(' ')).toContain('roll the run back first');
  });

  it('answers 403 to a role out of turn, naming the role that owns the state', async () => {
    const api = await serve();
    const id = await start(api);
    await settled(api, id);
    const error = expectError(await advance(api, id, { role: 'RELEASE_MANAGER', output: OUTPUTS.DEPLOYMENT_OK }), 403, 'FORBIDDEN');
    expect(error.details).toEqual({ state: 'DISCOVERY', expected_role: 'Q_ASSISTANT', role: 'RELEASE_MANAGER' });
    expectError(await api.post(`/api/delivery/runs/${id}/request-retry`, { role: 'TEST_AUDITOR', reasons: ['x'] }), 403, 'FORBIDDEN');
  });

  it("refuses to take a role's submission through the generic approvals route, even from the owning role, naming the delivery route", async () => {
    const api = await serve();
    const id = await start(api);
    const status = await settled(api, id);
    const waitId = status.waiting_for!.wait_id;
    for (const body of [
      { role: 'CODE_WRITER', data: {} },
      { role: 'Q_ASSISTANT', data: { action: 'advance', to_state: 'PLANNING', output: OUTPUTS.DISCOVERY, at: 1 } },
    ]) {
      const error = expectError(await api.post(`/api/runs/${id}/approvals/${waitId}`, body), 409, 'CONFLICT');
      expect(error.details).toMatchObject({ wait_id: waitId, kind: 'submission' });
      expect(error.message).toContain('/api/delivery/runs/{run_id}/advance');
    }
    expect((await settled(api, id)).state).toBe('DISCOVERY');
  });

  it('tells a missing role or output (400) from a bad one (422), and a run of another workflow or none (404)', async () => {
    const api = await serve();
    const id = await start(api);
    await settled(api, id);
    expectError(await advance(api, id, { role: 'Q_ASSISTANT' }), 400, 'INCOMPLETE_INPUT');
    // Without a declared role the caller acts in the role the state needs (the local user holds every role).
    expectError(await advance(api, id, {}), 400, 'INCOMPLETE_INPUT');
    expectError(await advance(api, id, { role: 'Q_ASSISTANT', output: { ...OUTPUTS.DISCOVERY, requirements: 'one' } }), 422, 'INVALID_PARAMETERS');
    expectError(await advance(api, id, { role: 'Q_ASSISTANT', to_state: 'DONE', output: OUTPUTS.DISCOVERY }), 422, 'INVALID_PARAMETERS');
    expectError(await api.get('/api/delivery/runs/ghost'), 404, 'NOT_FOUND');
    const other = await api.startRun('review', { topic: 'tides' });
    expectError(await api.get(`/api/delivery/runs/${other}`), 404, 'NOT_FOUND');
    expectError(await api.get('/api/delivery/projects/..%2Fetc/stats'), 422, 'INVALID_PARAMETERS');
  });

  it('sends work back with request-retry and rolls back with and without a body, each recorded in the history', async () => {
    const api = await serve();
    const { id } = await parkAt(api, 'VERIFICATION');
    // Verification names implementation: by default a retry goes to the previous role's state, testing.
    const retry = await api.post<Status>(`/api/delivery/runs/${id}/request-retry`, {
      role: 'VERIFICATION_OVERSEER',
      reasons: ['log the export'],
      to_state: 'IMPLEMENTATION',
    });
    expect(retry.status).toBe(200);
    // The code writer and the auditor are agents here: the change comes straight back to verification.
    const again = await settled(api, id);
    expect(again).toMatchObject({ state: 'VERIFICATION' });
    expect((again.waiting_for?.context as { earlier: { IMPLEMENTATION: { code_summary: string } } }).earlier.IMPLEMENTATION.code_summary).toContain(
      'log the export',
    );
    expectError(await api.post(`/api/delivery/runs/${id}/request-retry`, { role: 'VERIFICATION_OVERSEER', reasons: [] }), 422, 'INVALID_PARAMETERS');

    const back = await api.post<Status>(`/api/delivery/runs/${id}/rollback`);
    expect(back.status).toBe(200);
    // The previous role state is TESTING, played by an agent: it runs again and the run waits at VERIFICATION.
    expect(await settled(api, id)).toMatchObject({ state: 'VERIFICATION' });
    const toStart = await api.post<Status>(`/api/delivery/runs/${id}/rollback`, { to_state: 'DISCOVERY', reason: 'new scope' });
    expect(toStart.status).toBe(200);
    expect(await settled(api, id)).toMatchObject({ state: 'VERIFICATION' });
    const refused = expectError(await api.post(`/api/delivery/runs/${id}/rollback`, { to_state: 'DEPLOYMENT' }), 409, 'INVALID_TRANSITION');
    expect(refused.details).toEqual({ from: 'VERIFICATION', to: 'DEPLOYMENT', allowed: ['DISCOVERY', 'PLANNING', 'IMPLEMENTATION', 'TESTING'] });

    const { body } = await api.get<History>(`/api/delivery/runs/${id}/history`);
    expect(body.trail.filter((e) => e.move === 'retry' || e.move === 'rollback').map((e) => [e.move, e.from_state, e.to_state])).toEqual([
      ['retry', 'VERIFICATION', 'IMPLEMENTATION'],
      ['rollback', 'VERIFICATION', 'TESTING'],
      ['rollback', 'VERIFICATION', 'DISCOVERY'],
    ]);
    // The moves the rollback to DISCOVERY abandoned stay in the trail, marked; the new timeline's are not.
    const lastRollback = body.trail.findLastIndex((e) => e.move === 'rollback');
    expect(body.trail.slice(lastRollback).every((e) => !e.abandoned)).toBe(true);
    const abandoned = body.trail.filter((e) => e.abandoned);
    expect(abandoned.length).toBeGreaterThan(0);
    expect(abandoned.every((e) => body.trail.indexOf(e) < lastRollback)).toBe(true);
    expect(abandoned.some((e) => e.move === 'forward' && e.from_state === 'DISCOVERY')).toBe(true);
  });

  it('streams a delivery run live on its run stream and on the project session stream, handoffs and submissions included', async () => {
    const api = await serve();
    const ws = api.base.replace(/^http/, 'ws');
    const session = await TestClient.connect(`${ws}/ws/orchestrator/delivery:acme?since=0`);
    const id = await start(api, { automatic_roles: ['Q_ASSISTANT', 'CODE_WRITER', 'TEST_AUDITOR', 'VERIFICATION_OVERSEER'] });
    const run = await TestClient.connect(`${ws}/ws/runs/${id}?since=0`);
    await run.until((m) => m.some((e) => e.type === 'wait_required' && e.phase === 'DEPLOYMENT'));
    expect((await advance(api, id, { role: 'RELEASE_MANAGER', output: OUTPUTS.DEPLOYMENT_OK })).status).toBe(200);
    for (const client of [run, session]) {
      await client.until((m) => m.some((e) => e.type === 'workflow_complete' && e.run_id === id));
      const events = client.events().filter((e) => e.run_id === id);
      expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
      expect(events.filter((e) => e.type === 'complete').map((e) => e.phase)).toEqual([
        'DISCOVERY.agent',
        'PLANNING.agent',
        'HANDOFF_TO_CODER',
        'IMPLEMENTATION.agent',
        'HANDOFF_TO_TESTER',
        'TESTING.agent',
        'HANDOFF_TO_VERIFIER',
        'VERIFICATION.agent',
        'HANDOFF_TO_RELEASER',
      ]);
      expect(events.find((e) => e.type === 'wait_resolved')).toMatchObject({
        resolution: { action: 'submit', role: 'RELEASE_MANAGER', data: { to_state: 'COMPLETE', output: OUTPUTS.DEPLOYMENT_OK } },
      });
      expect(events.at(-1)).toMatchObject({ type: 'workflow_complete', state: 'completed' });
    }
    await run.close();
    await session.close();
    // The generic run view shows the same run.
    const generic = await api.get<z.output<typeof runStatus>>(`/api/runs/${id}`);
    expect(generic.body).toMatchObject({ workflow: 'software-delivery', state: 'completed', session_id: 'delivery:acme' });
  });
});
