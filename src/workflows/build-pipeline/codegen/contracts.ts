/**
 * Stage 4's contract: what the code generator is given (the architecture, the idea, and on a fix round the gate's
 * failing report) and what it answers (the files of the application, its manifest among them). Each stack is a
 * `StackGenerator`; the agent picks one by the specification's stack.
 */
import { z } from 'zod';
import { ArchitectureSpec, FaultInjection, Idea, Stack } from '../contracts.js';
import { AppManifest } from '../app/contracts.js';

export const CodegenInput = z.object({
  build_id: z.string().min(1),
  /** The app's name in code, packages and the manifest: lower kebab case. */
  app_name: z.string().regex(/^[a-z][a-z0-9-]{0,62}$/),
  idea: Idea,
  spec: ArchitectureSpec,
  /** Which gate round this is (0: the first generation). */
  round: z.number().int().min(0).default(0),
  /**
   * The previous round's gate report, when the gate sent the code back: a model may use it to fix its business
   * logic; the templates alone produce the same files again (so a template defect fails the build, as it should).
   */
  fix: z.lazy(() => z.object({ summary: z.string(), output: z.string() })).optional(),
  /**
   * Test-only and fault-injection knobs, never set by the pipeline: `tests: 'few'` writes too few tests for the
   * coverage gate; `defect: 'health-500' | ...` is used by the demo's defective second release (see deploy).
   */
  variant: FaultInjection.default({ tests: 'full', defect: 'none' }),
});
export type CodegenInput = z.input<typeof CodegenInput>;
export type CodegenRequest = z.output<typeof CodegenInput>;

/** A generated application: path in the repository → content, and its manifest (also written as baton-app.json). */
export const GeneratedApp = z.object({
  stack: Stack,
  files: z.record(z.string(), z.string()),
  manifest: AppManifest,
  /** Who wrote the business logic beyond the templates (`templates`, or the model when its code was kept). */
  written_by: z.enum(['templates', 'model']).default('templates'),
});
export type GeneratedApp = z.output<typeof GeneratedApp>;

/** One stack's generator: pure, deterministic (same request → same bytes), no I/O. */
export type StackGenerator = (request: CodegenRequest) => GeneratedApp;

/** Stage 4's output as the run records it: the files are in the repository, so the step keeps their list and the commit. */
export const CodegenResult = z.object({
  stack: Stack,
  round: z.number().int(),
  branch: z.string(),
  commit: z.string(),
  files: z.array(z.string()),
  written_by: z.enum(['templates', 'model']),
  manifest: AppManifest,
});
export type CodegenResult = z.infer<typeof CodegenResult>;
