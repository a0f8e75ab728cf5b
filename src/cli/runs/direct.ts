/**
 * `baton runs` on the database itself (--db, DATABASE_URL): an engine with the same workflows as
 * `baton serve`, so approvals and actions resume runs exactly as the server would. The engine is
 * not started as a worker: it claims no other run, and a run an action resumes is driven here only
 * while the command waits for it (`--wait`); otherwise closing lets it go to a server's poll.
 */
import { existsSync } from 'node:fs';
import { userInfo } from 'node:os';
import type { Actor } from '../../actors/contracts.js';
import { Engine, FINISHED_STATES } from '../../engine/index.js';
import { sqliteFileOf } from './database-file.js';
import { BatonError } from '../../errors/index.js';
import { inputError } from '../../errors/zod-issues.js';
import { llmSettingsFromEnv } from '../../llm/index.js';
import { eventView, runView } from '../../server/views.js';
import type { BatonStore } from '../../store/index.js';
import { openModules } from '../../server/modules.js';
import { seasonData } from '../../workflows/season-planning/data/index.js';
import { openBatonStore as openStore, WORKFLOW_MODULES } from '../modules.js';
import { postActuals, weeklyActuals } from '../../workflows/season-planning/actuals-intake.js';
import type { EventView, ListFilter, Resolution, RunsBackend, RunView, WeeklyActualsBody } from './backend.js';

/** How often a follower without notices (SQLite, or PostgreSQL between them) reads the log again. */
const POLL_MS = 200;
const PAGE = 1000;
/** Lease of a run this command drives: renewed while it waits for it, so no other worker takes it meanwhile. */
const LEASE_MS = 10_000;

export interface DirectOptions {
  /** SQLite file (ignored when databaseUrl is set). */
  sqlitePath: string;
  databaseUrl?: string | undefined;
}

export async function openDirect(options: DirectOptions): Promise<RunsBackend> {
  // Opening would create an empty database: a mistyped path should say so instead.
  const file = sqliteFileOf(options);
  if (file !== undefined && !existsSync(file)) {
    throw new BatonError('NOT_FOUND', `no database at ${file}`, {
      details: { db: file },
      suggestions: [
        '--db <file> names the SQLite file (default ./data/baton.db, or BATON_SQLITE_PATH)',
        'DATABASE_URL=postgres://… for PostgreSQL',
        '--url http://… for a running server',
      ],
    });
  }
  const store = await openStore({ databaseUrl: options.databaseUrl, sqlitePath: options.sqlitePath, origin: `cli-${process.pid}` });
  return new DirectBackend(store, file === undefined ? 'database (PostgreSQL)' : `database ${file}`);
}

/**
 * Whoever can open the database is its operator (admin, every role, like the local mode); their
 * decisions are recorded under the operating-system user, so the audit can tell them apart.
 */
function operatorActor(): Actor {
  const name = userInfo().username || 'operator';
  return { id: `os:${name}`, name, token_id: null, kind: 'person', scope: 'admin', roles: [], any_role: true };
}

class DirectBackend implements RunsBackend {
  readonly kind = 'database' as const;
  private readonly engine: Engine;
  private readonly actor = operatorActor();

  constructor(
    private readonly store: BatonStore,
    readonly describe: string,
  ) {
    // The workflows `baton serve` registers, from the same list (modules.ts).
    const { agents, workflows } = openModules(WORKFLOW_MODULES, store, { llm: llmSettingsFromEnv() ?? null, env: process.env });
    this.engine = new Engine({ store, leaseMs: LEASE_MS, agents, workflows });
  }

  async list(filter: ListFilter) {
    const { runs, total } = await this.engine.listRuns({
      limit: filter.limit,
      offset: filter.offset,
      ...(filter.workflow === undefined ? {} : { workflow: filter.workflow }),
      ...(filter.state === undefined ? {} : { state: filter.state }),
      ...(filter.sessionId === undefined ? {} : { sessionId: filter.sessionId }),
    });
    return { runs: runs.map(runView), total };
  }

  async status(runId: string): Promise<RunView> {
    return runView(await this.engine.status(runId));
  }

  async events(runId: string, since: number, limit: number): Promise<EventView[]> {
    return (await this.engine.readEvents(runId, since, limit)).map(eventView);
  }

  async resolve(runId: string, waitId: string, resolution: Resolution): Promise<RunView> {
    return runView(await this.engine.resolveWait(runId, waitId, resolution, { actor: this.actor }));
  }

  async postActuals(runId: string, actuals: WeeklyActualsBody): Promise<RunView> {
    const parsed = weeklyActuals.safeParse(actuals);
    if (!parsed.success) throw inputError('the weekly actuals', actuals, parsed.error);
    return runView(await postActuals(this.engine, seasonData(this.store), runId, parsed.data, this.actor));
  }

  async cancel(runId: string, reason?: string): Promise<RunView> {
    return runView(await this.engine.cancelRun(runId, reason, { actor: this.actor }));
  }

  async retry(runId: string): Promise<RunView> {
    return runView(await this.engine.retryRun(runId, { actor: this.actor }));
  }

  async rollback(runId: string, toPhase: string, reason?: string): Promise<RunView> {
    return runView(await this.engine.rollbackRun(runId, toPhase, reason, { actor: this.actor }));
  }

  /** Reads the log after the last event delivered; woken by PostgreSQL notices, else every POLL_MS. */
  async follow(runId: string, since: number, onEvent: (event: EventView) => boolean): Promise<void> {
    await this.engine.getRun(runId);
    let last = since;
    let wake: (() => void) | undefined;
    // Its own notices too: with --wait this process may drive the run it follows.
    const stopListening = await this.store.listen(
      (notice) => {
        if (notice.runId === runId) wake?.();
      },
      undefined,
      { ownNotices: true },
    );
    try {
      for (;;) {
        const page = await this.store.readEvents(runId, last, PAGE);
        for (const event of page) {
          if (event.seq !== last + 1) break; // a gap cannot happen in one log; read again from `last` if it ever did
          last = event.seq;
          if (onEvent(eventView(event))) return;
        }
        if (page.length === PAGE) continue;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, POLL_MS);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        wake = undefined;
      }
    } finally {
      await stopListening();
    }
  }

  async settle(runId: string, timeoutMs: number): Promise<RunView> {
    // The run is driven by this engine when the action resumed it here: keep its lease while we wait.
    const renew = setInterval(() => {
      void this.store.renewLeases(this.engine.nodeId, [runId], Date.now() + LEASE_MS).catch(() => undefined);
    }, LEASE_MS / 3);
    try {
      return runView(await this.engine.settled(runId, ['waiting', ...FINISHED_STATES], { timeoutMs }));
    } finally {
      clearInterval(renew);
    }
  }

  async close(): Promise<void> {
    // Lets go of any run an action resumed here (its lease is released; a worker's poll picks it up).
    await this.engine.close();
    await this.store.close();
  }
}
