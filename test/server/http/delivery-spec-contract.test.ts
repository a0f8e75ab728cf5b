// Software delivery as its specification gives it, checked against a real server: the seven /api/workflows/… routes
// (beside the server's own /api/workflows routes and stream), `workflow_id` in the answers, request-retry from every role
// state back to the previous role's state with the reason in the audit trail, the testing gate, one `expected_next`,
// `user_id`/`build_id` on the workflow record and `triggered_by` on every audit record. Written from the specification,
// not from the code: every path and field below is the specification's.
import { expect, it } from 'vitest';
import { describeEachStore } from '../../support/stores.js';
import { TestClient } from '../stream/ws-client.js';
import { CHANGE, OUTPUTS } from '../../workflows/software-delivery/support.js';
import { expectError, useServers, type Api } from './harness.js';

interface Ref {
  id: string;
  name: string;
}
interface Workflow {
  workflow_id: string;
  run_id: string;
  project: string;
  state: string;
  owner: string | null;
  user_id: string | null;
  build_id: string | null;
  waiting_for: { wait_id: string; role: string | null; state: string; context: unknown } | null;
  expected_next: { action: string; role: string | null; states: string[]; retry_to: string[] };
}
interface AuditRecord {
  move: string;
  from_state: string;
  to_state: string;
  by: string;
  reason: string | null;
  triggered_by: Ref | null;
  transferred: unknown;
}
interface History {
  workflow_id: string;
  project: string;
  state: string;
  trail: AuditRecord[];
}

/** Each role state, the role that owns it, the output that moves it forward, and the previous role's state. */
const ROLE_STATES = [
  { state: 'DISCOVERY', role: 'Q_ASSISTANT', output: OUTPUTS.DISCOVERY, previous: null },
  { state: 'PLANNING', role: 'Q_ASSISTANT', output: OUTPUTS.PLANNING, previous: 'DISCOVERY' },
  { state: 'IMPLEMENTATION', role: 'CODE_WRITER', output: OUTPUTS.IMPLEMENTATION, previous: 'PLANNING' },
  { state: 'TESTING', role: 'TEST_AUDITOR', output: OUTPUTS.TESTING_PASSED, previous: 'IMPLEMENTATION' },
  { state: 'VERIFICATION', role: 'VERIFICATION_OVERSEER', output: OUTPUTS.VERIFICATION_APPROVED, previous: 'TESTING' },
  { state: 'DEPLOYMENT', role: 'RELEASE_MANAGER', output: OUTPUTS.DEPLOYMENT_OK, previous: 'VERIFICATION' },
] as const;

const LOCAL: Ref = { id: 'local', name: 'local' };

describeEachStore('HTTP: software delivery as specified (/api/workflows/…)', (kind) => {
  const h = useServers(kind);
  const serve = () => h.serve({ delivery: true, workflows: ['review'] });

  const start = async (api: Api, project = 'acme', body: Record<string, unknown> = {}) => {
    const reply = await api.post<Workflow>(`/api/workflows/${project}/start`, { change: CHANGE, ...body });
    expect(reply.status, JSON.stringify(reply.body)).toBe(202);
    return reply.body;
  };
  const status = async (api: Api, id: string) => {
    await api.engine.settled(id);
    const reply = await api.get<Workflow>(`/api/workflows/${id}/status`);
    expect(reply.status, JSON.stringify(reply.body)).toBe(200);
    return reply.body;
  };
  const advance = (api: Api, id: string, body: Record<string, unknown>) => api.post<Workflow>(`/api/workflows/${id}/advance`, body);
  const history = async (api: Api, id: string) => {
    const reply = await api.get<History>(`/api/workflows/${id}/history`);
    expect(reply.status, JSON.stringify(reply.body)).toBe(200);
    return reply.body;
  };
  /** A change carried by people up to `state` (each earlier role hands in its output). */
  const parkAt = async (api: Api, state: string) => {
    const { workflow_id: id } = await start(api);
    for (const s of ROLE_STATES) {
      if (s.state === state) break;
      const reply = await advance(api, id, { role: s.role, output: s.output });
      expect(reply.status, `${s.state}: ${JSON.stringify(reply.body)}`).toBe(200);
      await api.engine.settled(id);
    }
    const parked = await status(api, id);
    expect(parked).toMatchObject({ state, expected_next: { action: 'advance' } });
    return parked;
  };

  it('serves the seven routes beside the server’s own /api/workflows list, workflow stats and stream, each answering', async () => {
    const api = await serve();
    const started = await start(api, 'acme', { build_id: 'build-42' });
    const id = started.workflow_id;
    // The server's own routes under /api/workflows still answer as before.
    expect((await api.get<{ workflows: { name: string }[] }>('/api/workflows')).body.workflows.map((w) => w.name)).toContain('software-delivery');
    expect((await api.get<{ workflow: string }>('/api/workflows/software-delivery/stats')).body).toMatchObject({ workflow: 'software-delivery' });
    const stream = await TestClient.connect(`${api.base.replace(/^http/, 'ws')}/api/workflows/${id}/stream?since=0`);
    await stream.until((m) => m.some((e) => e.type === 'wait_required'));
    await stream.close();

    expect((await api.get<Workflow>(`/api/workflows/${id}/status`)).status).toBe(200);
    expect((await advance(api, id, { role: 'Q_ASSISTANT', output: OUTPUTS.DISCOVERY })).status).toBe(200);
    await api.engine.settled(id);
    expect((await api.post<Workflow>(`/api/workflows/${id}/request-retry`, { role: 'Q_ASSISTANT', reasons: ['the tax rule is unclear'] })).status).toBe(200);
    await api.engine.settled(id);
    expect((await advance(api, id, { role: 'Q_ASSISTANT', output: OUTPUTS.DISCOVERY })).status).toBe(200);
    await api.engine.settled(id);
    expect((await api.post<Workflow>(`/api/workflows/${id}/rollback`, { to_state: 'DISCOVERY', reason: 'start over' })).status).toBe(200);
    expect((await status(api, id)).state).toBe('DISCOVERY');
    expect((await history(api, id)).workflow_id).toBe(id);
    const stats = await api.get<Record<string, unknown>>('/api/workflows/project/acme/stats');
    expect(stats.status).toBe(200);
    expect(stats.body).toMatchObject({ project: 'acme', project_id: 'acme', runs: 1 });

    // The same implementation answers under /api/delivery/…, where the workflow is a run.
    const same = await api.get<Workflow>(`/api/delivery/runs/${id}`);
    expect(same.body).toMatchObject({ workflow_id: id, run_id: id, build_id: 'build-42' });
    expect((await api.get<Record<string, unknown>>('/api/delivery/projects/acme/stats')).body).toEqual(stats.body);
  });

  it('starts a workflow for the project in the path, with workflow_id, user_id, build_id and the expected_next the next read gives', async () => {
    const api = await serve();
    for (const path of ['/api/workflows/acme/start', '/api/delivery/runs']) {
      const reply = await api.post<Workflow>(path, { project: 'acme', change: CHANGE, build_id: 'build-7' });
      expect(reply.status, JSON.stringify(reply.body)).toBe(202);
      const started = reply.body;
      expect(started).toMatchObject({ project: 'acme', state: 'DISCOVERY', owner: 'Q_ASSISTANT', user_id: 'local', build_id: 'build-7' });
      expect(started.workflow_id).toBe(started.run_id);
      // One source: the answer to the start says what the next read says (a person plays Q_ASSISTANT here).
      const next = await status(api, started.workflow_id);
      expect(started.expected_next).toEqual(next.expected_next);
      expect(next.expected_next).toEqual({ action: 'advance', role: 'Q_ASSISTANT', states: ['PLANNING', 'ERROR'], retry_to: [] });
    }
    // An agent plays the first role: then both say `agent`.
    const byAgent = await start(api, 'acme', { automatic_roles: ['Q_ASSISTANT'] });
    expect(byAgent.expected_next.action).toBe('agent');
    // The agent's run comes to rest at the first person's state before the server closes.
    expect((await status(api, byAgent.workflow_id)).state).toBe('IMPLEMENTATION');
    // A client of a single-user setup may name its user; without one, the user is the authenticated actor.
    expect((await start(api, 'acme', { user_id: 'dana' })).user_id).toBe('dana');
    expect((await start(api)).build_id).toBeNull();
    expectError(await api.post('/api/workflows/..%2Fetc/start', { change: CHANGE }), 422, 'INVALID_PARAMETERS');
    expectError(await api.post('/api/workflows/acme/start', {}), 400, 'INCOMPLETE_INPUT');
  });

  it('carries a workflow to COMPLETE through the specified routes, its audit records naming who triggered each move', async () => {
    const api = await serve();
    const { workflow_id: id } = await start(api);
    for (const s of ROLE_STATES) {
      const reply = await advance(api, id, { role: s.role, output: s.output });
      expect(reply.status, `${s.state}: ${JSON.stringify(reply.body)}`).toBe(200);
      expect(reply.body.workflow_id).toBe(id);
      await api.engine.settled(id);
    }
    expect(await status(api, id)).toMatchObject({ workflow_id: id, state: 'COMPLETE', expected_next: { action: 'none' } });
    const { trail, workflow_id } = await history(api, id);
    expect(workflow_id).toBe(id);
    // Six submissions by the local user, four handoffs by the system.
    expect(trail.map((e) => [e.from_state, e.to_state, e.triggered_by?.id])).toEqual([
      ['DISCOVERY', 'PLANNING', 'local'],
      ['PLANNING', 'HANDOFF_TO_CODER', 'local'],
      ['HANDOFF_TO_CODER', 'IMPLEMENTATION', 'system'],
      ['IMPLEMENTATION', 'HANDOFF_TO_TESTER', 'local'],
      ['HANDOFF_TO_TESTER', 'TESTING', 'system'],
      ['TESTING', 'HANDOFF_TO_VERIFIER', 'local'],
      ['HANDOFF_TO_VERIFIER', 'VERIFICATION', 'system'],
      ['VERIFICATION', 'HANDOFF_TO_RELEASER', 'local'],
      ['HANDOFF_TO_RELEASER', 'DEPLOYMENT', 'system'],
      ['DEPLOYMENT', 'COMPLETE', 'local'],
    ]);
    expect(trail[0]?.triggered_by).toMatchObject(LOCAL);
  });

  for (const s of ROLE_STATES.filter((r) => r.previous !== null)) {
    it(`sends the work back from ${s.state} to the previous role's state ${s.previous} with request-retry, the reason in the audit trail`, async () => {
      const api = await serve();
      const parked = await parkAt(api, s.state);
      expect(parked.expected_next.retry_to[0]).toBe(s.previous);
      const reply = await api.post<Workflow>(`/api/workflows/${parked.workflow_id}/request-retry`, { role: s.role, reasons: [`redo ${s.previous}`] });
      expect(reply.status, JSON.stringify(reply.body)).toBe(200);
      const after = await status(api, parked.workflow_id);
      expect(after).toMatchObject({ state: s.previous, waiting_for: { state: s.previous } });
      // The previous role is given the reason as feedback.
      expect((after.waiting_for?.context as { feedback: { from_state: string; reasons: string[] }[] }).feedback[0]).toMatchObject({
        from_state: s.state,
        reasons: [`redo ${s.previous}`],
      });
      const retries = (await history(api, parked.workflow_id)).trail.filter((e) => e.move === 'retry');
      expect(retries).toHaveLength(1);
      expect(retries[0]).toMatchObject({
        from_state: s.state,
        to_state: s.previous,
        by: s.role,
        triggered_by: LOCAL,
        transferred: { reasons: [`redo ${s.previous}`] },
      });
      expect(retries[0]?.reason).toContain(`redo ${s.previous}`);
    });
  }

  it('refuses request-retry from DISCOVERY (no earlier role) and to a state the current one cannot send work back to, with 409', async () => {
    const api = await serve();
    const { workflow_id: id } = await start(api);
    await api.engine.settled(id);
    const first = expectError(await api.post(`/api/workflows/${id}/request-retry`, { role: 'Q_ASSISTANT', reasons: ['x'] }), 409, 'INVALID_TRANSITION');
    expect(first.details).toMatchObject({ from: 'DISCOVERY' });
    const parked = await parkAt(api, 'TESTING');
    const far = expectError(
      await api.post(`/api/workflows/${parked.workflow_id}/request-retry`, { role: 'TEST_AUDITOR', reasons: ['x'], to_state: 'DISCOVERY' }),
      409,
      'INVALID_TRANSITION',
    );
    expect(far.details).toEqual({ from: 'TESTING', to: 'DISCOVERY', allowed: ['IMPLEMENTATION'] });
    expectError(await api.post(`/api/workflows/${parked.workflow_id}/request-retry`, { role: 'TEST_AUDITOR', reasons: [] }), 422, 'INVALID_PARAMETERS');
  });

  it('holds the testing gate: a report must account for every test case handed over, else 422 naming what is missing', async () => {
    const api = await serve();
    const parked = await parkAt(api, 'TESTING');
    const id = parked.workflow_id;
    const empty = expectError(await advance(api, id, { role: 'TEST_AUDITOR', output: { passed: 0, failed: 0 } }), 422, 'INVALID_PARAMETERS');
    expect(empty.details.missing_tests).toEqual(['downloads', 'tax']);
    expect(empty.message).toContain('"downloads"');
    expect(empty.message).toContain('"tax"');
    const partial = expectError(
      await advance(api, id, { role: 'TEST_AUDITOR', output: { passed: 1, failed: 0, results: [{ test: 'downloads', outcome: 'passed' }] } }),
      422,
      'INVALID_PARAMETERS',
    );
    expect(partial.details.missing_tests).toEqual(['tax']);
    // Counts that contradict the outcomes named are refused too.
    const counts = expectError(
      await advance(api, id, {
        role: 'TEST_AUDITOR',
        output: {
          passed: 0,
          failed: 0,
          results: [
            { test: 'downloads', outcome: 'passed' },
            { test: 'tax', outcome: 'failed', message: 'no column' },
          ],
        },
      }),
      422,
      'INVALID_PARAMETERS',
    );
    expect((counts.details.issues as { path: string }[]).map((i) => i.path)).toEqual(['output.passed', 'output.failed']);
    // An explanation needs its message (missing: 400).
    expectError(
      await advance(api, id, {
        role: 'TEST_AUDITOR',
        output: {
          passed: 1,
          failed: 0,
          results: [
            { test: 'downloads', outcome: 'passed' },
            { test: 'tax', outcome: 'explained' },
          ],
        },
      }),
      400,
      'INCOMPLETE_INPUT',
    );
    expect((await status(api, id)).state).toBe('TESTING');
    // Passed, failed (in failures) or explained: each test case accounted for, the change moves on.
    const accounted = await advance(api, id, {
      role: 'TEST_AUDITOR',
      output: {
        passed: 1,
        failed: 0,
        results: [
          { test: 'downloads', outcome: 'passed' },
          { test: 'tax', outcome: 'explained', message: 'the tax service is down in staging; covered by the contract test' },
        ],
      },
    });
    expect(accounted.status, JSON.stringify(accounted.body)).toBe(200);
    expect((await status(api, id)).state).toBe('VERIFICATION');
  });

  it('sends a failed report back to implementation once it accounts for the test cases, a failure named in failures counting as failed', async () => {
    const api = await serve();
    const { workflow_id: id } = await parkAt(api, 'TESTING');
    const reply = await advance(api, id, { role: 'TEST_AUDITOR', output: OUTPUTS.TESTING_FAILED });
    expect(reply.status, JSON.stringify(reply.body)).toBe(200);
    expect((await status(api, id)).state).toBe('IMPLEMENTATION');
  });

  it('answers 404 for a workflow_id that is no delivery workflow, and 403 naming the owner for a role out of turn', async () => {
    const api = await serve();
    expectError(await api.get('/api/workflows/ghost/status'), 404, 'NOT_FOUND');
    expectError(await api.get('/api/workflows/ghost/history'), 404, 'NOT_FOUND');
    const other = await api.startRun('review', { topic: 'tides' });
    expectError(await api.get(`/api/workflows/${other}/status`), 404, 'NOT_FOUND');
    const { workflow_id: id } = await start(api);
    await api.engine.settled(id);
    const error = expectError(await advance(api, id, { role: 'RELEASE_MANAGER', output: OUTPUTS.DEPLOYMENT_OK }), 403, 'FORBIDDEN');
    expect(error.details).toMatchObject({ state: 'DISCOVERY', expected_role: 'Q_ASSISTANT' });
  });
});
