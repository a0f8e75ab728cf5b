// `baton serve` serves the built dashboard at / beside the API: files, the page for any other path,
// cache headers, the API's own 404s, open page files under a token, and a clear word when it is not built.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Engine } from '../../../src/engine/index.js';
import { buildServer } from '../../../src/server/app.js';
import { parseServerConfig } from '../../../src/server/config.js';
import { storeKinds, type TestStore } from '../../support/stores.js';

const PAGE = '<!doctype html><title>Baton</title><div id="root"></div>';
const ASSET = 'console.log("dashboard");';

describe('HTTP: the dashboard at /', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  /** A web root as Vite leaves it (index.html + hashed assets), or an empty folder when `built` is false. */
  function webRoot(built = true): string {
    const parent = mkdtempSync(join(tmpdir(), 'baton-webroot-'));
    cleanups.push(() => rmSync(parent, { recursive: true, force: true }));
    // A file beside the root that no request may reach.
    writeFileSync(join(parent, 'secret.txt'), 'secret');
    const dir = join(parent, 'dist');
    mkdirSync(dir);
    if (built) {
      mkdirSync(join(dir, 'assets'));
      writeFileSync(join(dir, 'index.html'), PAGE);
      writeFileSync(join(dir, 'assets', 'index-abc123.js'), ASSET);
      writeFileSync(join(dir, 'favicon.svg'), '<svg/>');
    }
    return dir;
  }

  async function serve(root: string, apiToken?: string): Promise<string> {
    const t: TestStore = await storeKinds[0]!.create();
    cleanups.push(() => t.dispose());
    const engine = new Engine({ store: t.store, agents: [], workflows: [] });
    cleanups.push(() => engine.close());
    const app = await buildServer({
      engine,
      store: t.store,
      config: parseServerConfig({ port: 0, ...(apiToken ? { apiToken } : {}) }),
      logger: false,
      llm: null,
      webRoot: root,
    });
    cleanups.push(() => app.close());
    await app.listen({ port: 0, host: '127.0.0.1' });
    return `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  }

  it('serves the page at /, its hashed assets for a year, and the page again for the dashboard paths', async () => {
    const base = await serve(webRoot());
    const root = await fetch(`${base}/`);
    expect(root.status).toBe(200);
    expect(root.headers.get('content-type')).toContain('text/html');
    expect(root.headers.get('cache-control')).toBe('no-cache');
    expect(await root.text()).toBe(PAGE);
    const asset = await fetch(`${base}/assets/index-abc123.js`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toContain('javascript');
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(await asset.text()).toBe(ASSET);
    expect(await (await fetch(`${base}/favicon.svg`)).text()).toBe('<svg/>');
    for (const path of ['/runs', '/runs/3f2a-run?x=1', '/data', '/some/deep/page']) {
      const page = await fetch(`${base}${path}`);
      expect(page.status, path).toBe(200);
      expect(await page.text(), path).toBe(PAGE);
    }
  });

  it('keeps the API, its JSON 404s, the health check and the docs as they were', async () => {
    const base = await serve(webRoot());
    const unknown = await fetch(`${base}/api/no-such-route`);
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ error_type: 'NOT_FOUND', message: 'no route GET /api/no-such-route' });
    expect((await fetch(`${base}/ws/nothing`)).status).toBe(404);
    expect(await (await fetch(`${base}/health`)).json()).toMatchObject({ status: 'ok' });
    expect((await fetch(`${base}/openapi.json`)).headers.get('content-type')).toContain('application/json');
    expect((await fetch(`${base}/docs/`)).status).toBe(200);
    expect(await (await fetch(`${base}/api/runs`)).json()).toMatchObject({ runs: [] });
  });

  it('never serves a file from outside the web root', async () => {
    const base = await serve(webRoot());
    for (const path of ['/..%2fsecret.txt', '/assets/..%2f..%2fsecret.txt', '/%2e%2e/secret.txt', '/..%5csecret.txt', '/assets/%2e%2e%2f%2e%2e%2fsecret.txt']) {
      const reply = await fetch(`${base}${path}`);
      expect(await reply.text(), path).not.toBe('secret');
    }
  });

  it('opens the page and its files without a token while the API and the streams still need it', async () => {
    const base = await serve(webRoot(), 'a-long-enough-token');
    expect((await fetch(`${base}/`)).status).toBe(200);
    expect((await fetch(`${base}/runs/abc`)).status).toBe(200);
    expect((await fetch(`${base}/assets/index-abc123.js`)).status).toBe(200);
    expect(await (await fetch(`${base}/api/runs`)).json()).toMatchObject({ error_type: 'UNAUTHORIZED' });
    expect((await fetch(`${base}/api/runs`, { headers: { authorization: 'Bearer a-long-enough-token' } })).status).toBe(200);
    expect((await fetch(`${base}/ws/runs/x`)).status).toBe(401);
  });

  it('says how to build the dashboard when web/dist is missing', async () => {
    const base = await serve(webRoot(false));
    const reply = await fetch(`${base}/`);
    expect(reply.status).toBe(404);
    expect(await reply.text()).toContain('npm run build');
    expect((await fetch(`${base}/api/no-such-route`)).headers.get('content-type')).toContain('application/json');
  });
});
