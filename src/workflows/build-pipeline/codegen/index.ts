/**
 * Stage 4's entry: validates a code generation request and hands it to its stack's generator (the templates of
 * Node/TypeScript or Python/FastAPI). The answer is checked against the contract too, so a generator bug surfaces
 * here rather than in the quality gate.
 */
import { inputError } from '../../../errors/zod-issues.js';
import type { Stack } from '../contracts.js';
import { CodegenInput, GeneratedApp, type StackGenerator } from './contracts.js';
import { nodeGenerator } from './node/index.js';
import { pythonGenerator } from './python/index.js';

export const GENERATORS: Record<Stack, StackGenerator> = {
  'node-typescript': nodeGenerator,
  'python-fastapi': pythonGenerator,
};

export function generateApp(input: CodegenInput): GeneratedApp {
  const parsed = CodegenInput.safeParse(input);
  if (!parsed.success) throw inputError('the code generation parameters', input, parsed.error);
  return GeneratedApp.parse(GENERATORS[parsed.data.spec.stack](parsed.data));
}
