/**
 * Serves the dashboard (web/, built by Vite into web/dist) at `/`: its files as they are, and
 * index.html for any other page path so the browser's own routes survive a reload. /api, /ws,
 * /docs and /openapi.json keep their routes; an unknown API path still gets the JSON 404.
 */
import { existsSync, statSync } from 'node:fs';
import { join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

/** web/dist beside src/ (or dist/): the same relative place from the TypeScript and the compiled file. */
export const DEFAULT_WEB_ROOT = fileURLToPath(new URL('../../web/dist', import.meta.url));

const NOT_PAGES = /^\/(api|ws|docs|openapi\.json|health)(\/|$)/;

/** A request path as a file under root, or undefined when it names none (or climbs out of root). */
function fileUnder(root: string, urlPath: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return undefined;
  }
  const relative = normalize(decoded).replace(/^([/\\])+/, '');
  if (relative === '' || relative.startsWith('..')) return undefined;
  const full = join(root, relative);
  if (!full.startsWith(root + sep)) return undefined;
  return existsSync(full) && statSync(full).isFile() ? relative : undefined;
}

export async function registerDashboard(app: FastifyInstance, root: string = DEFAULT_WEB_ROOT): Promise<void> {
  const built = existsSync(join(root, 'index.html'));
  // serve: false — only reply.sendFile; the one route below decides between a file and index.html.
  await app.register(fastifyStatic, { root, serve: false });
  app.get('/*', { schema: { hide: true } }, (request, reply) => {
    const path = request.url.split('?')[0] ?? '/';
    if (NOT_PAGES.test(path)) return reply.callNotFound();
    if (!built) {
      return reply.code(404).type('text/plain').send('The dashboard is not built: run `npm run build` (it builds web/ into web/dist).');
    }
    const file = fileUnder(root, path);
    // Vite names assets by their content hash, so they never change; the page itself must be re-read.
    if (file?.startsWith('assets/')) return reply.sendFile(file, { maxAge: '365d', immutable: true });
    if (file !== undefined) return reply.sendFile(file, { cacheControl: false });
    return reply.header('cache-control', 'no-cache').sendFile('index.html', { cacheControl: false });
  });
}
