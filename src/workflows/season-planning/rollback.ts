/**
 * What a rollback means for season planning's own data: the plans the abandoned steps made stop
 * being the run's plans (they are deleted with the rollback, so the re-run writes them afresh), and
 * the actuals, which are facts about the season and not decisions of the run, stand.
 */
import type { RollbackHook, RollbackRequest } from '../../engine/index.js';
import type { DatabaseHost } from '../../store/index.js';
import type { SeasonTables } from './data/schema.js';

/**
 * The phases whose agents write each plan kind. Every kind's revision counts that kind's phase
 * visits on the current timeline (forecast: demand and re-forecast visits, allocation and markdown:
 * their phase's visits, replenishment: the week, which is its phase's visit, summary: 1), so the
 * plans that stand are exactly the revisions up to what the steps that stand committed.
 */
export const PLAN_WRITERS: Readonly<Record<string, readonly string[]>> = {
  forecast: ['demand', 'reforecast'],
  allocation: ['allocation'],
  replenishment: ['replenishment'],
  markdown: ['markdown_check'],
  summary: ['season_close'],
};

/** Per plan kind, the last revision the steps that stand wrote (0: none). */
export function standingRevisions({ run, abandoned }: Pick<RollbackRequest, 'run' | 'abandoned'>): Record<string, number> {
  const standing = (phase: string) => (run.visits[phase] ?? 0) - abandoned.filter((step) => step.phase === phase).length;
  return Object.fromEntries(Object.entries(PLAN_WRITERS).map(([kind, phases]) => [kind, phases.reduce((sum, phase) => sum + standing(phase), 0)]));
}

/**
 * The rollback hook. Plans past the standing revisions are deleted, which also removes one an agent
 * wrote in a step that never committed (the run failed after it). The current week and the markdown
 * in force follow the current timeline by themselves (they are read from its visits and results).
 * Actuals are not touched: a week the re-run reaches again is replaced when it is posted (or
 * simulated) again, as any re-posted week is. No target is refused: every phase before the run's
 * position is a point the season can be re-planned from.
 */
export function seasonRollback(host: DatabaseHost): RollbackHook {
  return (request) => {
    const { db } = host.database<SeasonTables>();
    const writes = Object.entries(standingRevisions(request)).map(([kind, revision]) =>
      db.deleteFrom('plans').where('run_id', '=', request.run.id).where('kind', '=', kind).where('revision', '>', revision).compile(),
    );
    return Promise.resolve({ writes });
  };
}
