/**
 * The role system prompts, kept as Markdown files in `prompts/` so they read (and review) like
 * documents. Read once per role and cached.
 */
import { existsSync, readFileSync } from 'node:fs';
import { BatonError } from '../../errors/index.js';
import type { Role } from './states.js';

// `tsc` compiles to dist/ and copies no Markdown: from dist/workflows/software-delivery/ the
// prompts are read from the source tree next to it (the package always ships src/).
const FOLDERS = [new URL('./prompts/', import.meta.url), new URL('../../../src/workflows/software-delivery/prompts/', import.meta.url)];

const cache = new Map<Role, string>();

export function systemPrompt(role: Role): string {
  const cached = cache.get(role);
  if (cached !== undefined) return cached;
  const file = FOLDERS.map((folder) => new URL(`${role}.md`, folder)).find((url) => existsSync(url));
  if (!file) throw new BatonError('INTERNAL_ERROR', `the system prompt of role ${role} is missing (prompts/${role}.md)`, { details: { role } });
  const prompt = readFileSync(file, 'utf8');
  cache.set(role, prompt);
  return prompt;
}
