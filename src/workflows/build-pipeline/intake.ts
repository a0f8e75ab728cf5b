/**
 * Intake: ideas added, listed and read, and a build started on request (never automatically) for an idea whose
 * viability score is above the threshold; 85 or less is refused with 422 naming the score and the threshold.
 */
import type { Actor } from '../../actors/contracts.js';
import type { Engine } from '../../engine/index.js';
import type { RunStatus } from '../../engine/stats.js';
import { BatonError, InvalidParametersError, NotFoundError } from '../../errors/index.js';
import { buildable, StartBuild, VIABILITY_THRESHOLD, type BuildView, type Idea } from './contracts.js';
import type { BuildData } from './data/index.js';
import { BUILD_PIPELINE, buildSessionOf } from './workflow.js';
import { issuesOf } from '../../errors/zod-issues.js';

export const buildView = (ideaId: string, run: RunStatus): BuildView => ({
  run_id: run.id,
  idea_id: ideaId,
  state: run.state,
  phase: run.phase,
  created_at: new Date(run.createdAt).toISOString(),
});

/** The refusal of an idea at or below the threshold: the score, the threshold, and what would change it. */
export function belowThreshold(idea: Idea, threshold = VIABILITY_THRESHOLD): BatonError {
  const message = `idea "${idea.id}" cannot be built: its viability score ${idea.viability_score} is not above the threshold of ${threshold}`;
  return new BatonError('INVALID_PARAMETERS', message, {
    details: {
      idea_id: idea.id,
      viability_score: idea.viability_score,
      threshold,
      issues: [{ path: 'viability_score', message: `${idea.viability_score} is not above the threshold of ${threshold}` }],
    },
    suggestions: [`only ideas scoring above ${threshold} are built: add the idea again with new research and a new score if it has changed`],
  });
}

export class BuildIntake {
  constructor(
    private readonly engine: Engine,
    private readonly data: BuildData,
  ) {}

  addIdea(input: unknown, actor?: Actor): Promise<Idea> {
    return this.data.addIdea(input, { createdBy: actor?.id ?? null });
  }

  listIdeas(page: { limit: number; offset: number }): Promise<{ ideas: Idea[]; total: number }> {
    return this.data.listIdeas(page);
  }

  async idea(id: string): Promise<Idea> {
    const idea = await this.data.idea(id);
    if (!idea) throw new NotFoundError('idea', id, ['list the ideas with GET /api/builds/ideas']);
    return idea;
  }

  /** The idea's builds, newest first. */
  async builds(ideaId: string): Promise<BuildView[]> {
    const { runs } = await this.engine.listRuns({ workflow: BUILD_PIPELINE, sessionId: buildSessionOf(ideaId), limit: 100 });
    return runs.map((run) => buildView(ideaId, run));
  }

  /** Starts a build of the idea on request: refused (422) at or below the threshold; the same idempotency key returns the same build. */
  async startBuild(ideaId: string, request: unknown, actor?: Actor): Promise<BuildView> {
    const parsed = StartBuild.safeParse(request ?? {});
    if (!parsed.success) throw new InvalidParametersError('the build request is invalid', issuesOf(parsed.error));
    const idea = await this.idea(ideaId);
    if (!buildable(idea.viability_score)) throw belowThreshold(idea);
    const { idempotency_key, ...rest } = parsed.data;
    const run = await this.engine.startRun(
      BUILD_PIPELINE,
      { ...rest, idea_id: idea.id },
      { sessionId: buildSessionOf(idea.id), ...(actor ? { actor } : {}), ...(idempotency_key ? { idempotencyKey: idempotency_key } : {}) },
    );
    return buildView(idea.id, run);
  }
}
