/** Baton's own version, read once from its package.json: shown in /api/nodes, the serve log and the OpenAPI document. */
import { readFileSync } from 'node:fs';
import { z } from 'zod';

let cached: string | null | undefined;

/** The version in package.json (one folder up from src/ and dist/ alike); null when unreadable (a bundled or stripped install). */
export function batonVersion(): string | null {
  if (cached !== undefined) return cached;
  try {
    const parsed = z.object({ version: z.string() }).safeParse(JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')));
    cached = parsed.success ? parsed.data.version : null;
  } catch {
    cached = null;
  }
  return cached;
}
