// GET /health (liveness and database reachability), the OpenAPI document and the docs UI.
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { describeEachStore } from '../../support/stores.js';
import { useServers } from './harness.js';

interface OpenApiDocument {
  openapi: string;
  info: { title: string; version: string };
  paths: Record<string, Record<string, { responses?: Record<string, unknown>; requestBody?: unknown }>>;
  components?: { schemas?: Record<string, unknown> };
}

const packageVersion = (JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

describeEachStore('HTTP: health and docs', (kind) => {
  const h = useServers(kind);

  it('answers /health with 200, status ok and database ok', async () => {
    const api = await h.serve();
    const reply = await api.get('/health');
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({ status: 'ok', database: 'ok', store: kind.name, node: expect.any(String) as unknown });
  });

  it('answers /health with 503 and database unreachable once the database is closed', async () => {
    const api = await h.serve({ ownStore: true });
    expect((await api.get('/health')).status).toBe(200);
    await api.closeDatabase();
    const reply = await api.get('/health');
    expect(reply.status).toBe(503);
    expect(reply.body).toEqual({ status: 'degraded', database: 'unreachable', store: kind.name, node: expect.any(String) as unknown });
  });

  it('serves an OpenAPI 3 document listing every route with its methods', async () => {
    const api = await h.serve();
    const reply = await api.get<OpenApiDocument>('/openapi.json');
    expect(reply.status).toBe(200);
    expect(reply.headers.get('content-type')).toMatch(/^application\/json/);
    expect(reply.body.openapi).toMatch(/^3\./);
    // The version Baton ships as, the one /api/nodes shows: not a number written into the document by hand.
    expect(reply.body.info).toMatchObject({ title: 'Baton API', version: packageVersion });
    const routes = Object.entries(reply.body.paths).flatMap(([path, methods]) => Object.keys(methods).map((m) => `${m.toUpperCase()} ${path}`));
    expect(routes.sort()).toEqual(
      [
        'GET /health',
        'POST /api/orchestrator/extract-parameters',
        'POST /api/orchestrator/run-workflow',
        'GET /api/runs',
        'GET /api/runs/{run_id}',
        'GET /api/runs/{run_id}/events',
        'GET /api/runs/{run_id}/history',
        'POST /api/runs/{run_id}/cancel',
        'POST /api/runs/{run_id}/retry',
        'POST /api/runs/{run_id}/rollback',
        'POST /api/runs/{run_id}/approvals/{approval_id}',
        'GET /api/workflows',
        'GET /api/workflows/{name}/stats',
        'POST /api/runs/{run_id}/actuals',
        'POST /api/runs/{run_id}/actuals/csv',
        'GET /api/forecasts/{run_id}',
        'GET /api/allocations/{run_id}',
        'GET /api/variance/{run_id}',
        'GET /api/markdowns/{run_id}',
        'GET /api/stores/clusters',
        'GET /api/data',
        'GET /api/data/history',
        'POST /api/data/stores',
        'POST /api/data/categories',
        'POST /api/data/sales',
        'POST /api/delivery/runs',
        'GET /api/delivery/runs/{run_id}',
        'POST /api/delivery/runs/{run_id}/advance',
        'POST /api/delivery/runs/{run_id}/request-retry',
        'POST /api/delivery/runs/{run_id}/rollback',
        'GET /api/delivery/runs/{run_id}/history',
        'GET /api/delivery/projects/{project}/stats',
        'POST /api/workflows/{project_id}/start',
        'POST /api/workflows/{workflow_id}/advance',
        'GET /api/workflows/{workflow_id}/status',
        'POST /api/workflows/{workflow_id}/request-retry',
        'GET /api/workflows/{workflow_id}/history',
        'GET /api/workflows/project/{project_id}/stats',
        'POST /api/workflows/{workflow_id}/rollback',
        'GET /api/me',
        'GET /api/actors',
        'POST /api/actors',
        'POST /api/actors/{actor_id}/tokens',
        'PUT /api/actors/{actor_id}/roles',
        'DELETE /api/actors/{actor_id}',
        'DELETE /api/actors/{actor_id}/tokens/{token_id}',
        'GET /api/audit',
        'GET /api/nodes',
      ].sort(),
    );
  });

  it('describes request bodies, success responses and the shared error shape in the document', async () => {
    const api = await h.serve();
    const { body } = await api.get<OpenApiDocument>('/openapi.json');
    const start = body.paths['/api/orchestrator/run-workflow']?.post;
    expect(start?.requestBody).toBeDefined();
    expect(Object.keys(start?.responses ?? {})).toEqual(expect.arrayContaining(['202', '400', '404', '422']));
    expect(Object.keys(body.paths['/api/runs/{run_id}/cancel']?.post?.responses ?? {})).toEqual(expect.arrayContaining(['200', '404', '409']));
    expect(Object.keys(body.components?.schemas ?? {})).toEqual(expect.arrayContaining(['Error', 'RunStatus']));
  });

  it('documents the CSV uploads as text/csv bodies and the bounds of limit, so a generated client can call them', async () => {
    const api = await h.serve({ season: true });
    const { body } = await api.get<OpenApiDocument>('/openapi.json');
    for (const path of ['/api/data/sales', '/api/runs/{run_id}/actuals/csv']) {
      const content = (body.paths[path]?.post?.requestBody as { content?: Record<string, unknown> } | undefined)?.content ?? {};
      expect(Object.keys(content), path).toEqual(['text/csv', 'text/plain']);
    }
    const list = body.paths['/api/runs']?.get as { parameters?: { name: string; description?: string }[] } | undefined;
    expect(list?.parameters?.find((p) => p.name === 'limit')?.description).toBe('a whole number from 1 to 500');
  });

  it('serves the docs UI at /docs', async () => {
    const api = await h.serve();
    const response = await fetch(`${api.base}/docs`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await response.text()).toMatch(/swagger/i);
  });
});
