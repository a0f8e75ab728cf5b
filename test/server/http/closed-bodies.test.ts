// Request bodies are closed: a field the server does not know is refused (422 naming it), never dropped. A dropped
// misspelling is silent harm: "automatic_role" started a delivery run in which every role waited for a person.
import { expect, it } from 'vitest';
import { describeEachStore } from '../../support/stores.js';
import { CHANGE } from '../../workflows/software-delivery/support.js';
import { expectError, issuesOf, useServers, type Api } from './harness.js';

interface Schema {
  properties?: Record<string, Schema>;
  additionalProperties?: unknown;
  [key: string]: unknown;
}
interface OpenApi {
  paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema?: Schema }> } }>>;
}

/** The JSON paths of every object in a schema that lists properties yet takes others too. */
function openObjects(schema: unknown, at = ''): string[] {
  if (Array.isArray(schema)) return schema.flatMap((item, i) => openObjects(item, `${at}[${i}]`));
  if (typeof schema !== 'object' || schema === null) return [];
  const node = schema as Schema;
  const here = node.properties !== undefined && node.additionalProperties !== false ? [at || '(body)'] : [];
  return [...here, ...Object.entries(node).flatMap(([key, value]) => openObjects(value, `${at}/${key}`))];
}

/** One issue at `path` saying the field is not known, and no row or run written. */
function expectUnknownField(reply: Awaited<ReturnType<Api['post']>>, path: string): void {
  const error = expectError(reply, 422, 'INVALID_PARAMETERS');
  expect(issuesOf(error)).toContainEqual({ path, message: expect.stringMatching(/not a known field|is not a .*parameter/) as unknown });
}

describeEachStore('HTTP: request bodies take only the fields they document', (kind) => {
  const h = useServers(kind);

  it('documents every JSON body object as closed in /openapi.json (additionalProperties false)', async () => {
    const api = await h.serve({ season: true, delivery: true });
    const doc = (await api.get<OpenApi>('/openapi.json')).body;
    const open: string[] = [];
    let bodies = 0;
    for (const [path, operations] of Object.entries(doc.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        const schema = operation.requestBody?.content['application/json']?.schema;
        if (!schema) continue;
        bodies++;
        open.push(...openObjects(schema).map((at) => `${method.toUpperCase()} ${path} ${at}`));
      }
    }
    expect(bodies).toBeGreaterThan(15);
    expect(open).toEqual([]);
  });

  it('refuses a misspelled field of a delivery start and writes no run', async () => {
    const api = await h.serve({ delivery: true, workflows: [] });
    const misspelled = await api.post('/api/delivery/runs', { project: 'acme', change: CHANGE, automatic_role: ['CODE_WRITER'] });
    expectUnknownField(misspelled, 'body.automatic_role');
    const nested = await api.post('/api/workflows/acme/start', { change: { ...CHANGE, prioirty: 'high' } });
    expectUnknownField(nested, 'body.change.prioirty');
    // Through the generic start, the workflow's parameters are as closed as its own route.
    const generic = await api.post('/api/orchestrator/run-workflow', {
      session_id: 's1',
      workflow: 'software-delivery',
      parameters: { project: 'acme', change: CHANGE, automatc_roles: ['CODE_WRITER'] },
    });
    expect(generic.status, JSON.stringify(generic.body)).toBe(422);
    expect(JSON.stringify(generic.body)).toContain('automatc_roles');
    expect((await api.get<{ total: number }>('/api/runs')).body.total).toBe(0);
  });

  it('takes the path’s project repeated in a start’s body, and refuses another', async () => {
    const api = await h.serve({ delivery: true, workflows: [] });
    const other = await api.post('/api/workflows/acme/start', { project: 'globex', change: CHANGE });
    const error = expectError(other, 422, 'INVALID_PARAMETERS');
    expect(error.message).toContain('"globex"');
    expect(error.message).toContain('"acme"');
    expect((await api.get<{ total: number }>('/api/runs')).body.total).toBe(0);
    const same = await api.post<{ project: string }>('/api/workflows/acme/start', { project: 'acme', change: CHANGE });
    expect(same.status, JSON.stringify(same.body)).toBe(202);
    expect(same.body.project).toBe('acme');
  });

  it('refuses unknown fields of a run’s cancel, rollback and approval, and of extraction', async () => {
    const api = await h.serve();
    const runId = await api.startRun('review', { topic: 'launch' });
    expectUnknownField(await api.post(`/api/runs/${runId}/cancel`, { reson: 'typo' }), 'body.reson');
    expectUnknownField(await api.post(`/api/runs/${runId}/rollback`, { to_phase: 'prepare', resaon: 'typo' }), 'body.resaon');
    expectUnknownField(await api.post(`/api/runs/${runId}/approvals/any`, { action: 'accept', coment: 'typo' }), 'body.coment');
    expectUnknownField(
      await api.post('/api/orchestrator/extract-parameters', { strategy_description: '12 weeks', referance_date: '2025-01-06' }),
      'body.referance_date',
    );
    // Nothing was done to the run.
    expect((await api.get<{ state: string }>(`/api/runs/${runId}`)).body.state).not.toBe('cancelled');
  });
});
