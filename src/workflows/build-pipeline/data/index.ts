/** The build pipeline's data access on the database handle the store gives the module: ideas in, ideas out, checked by zod both ways. */
import { randomUUID } from 'node:crypto';
import type { Selectable } from 'kysely';
import { z } from 'zod';
import { InvalidParametersError } from '../../../errors/index.js';
import { issuesOf } from '../../../errors/zod-issues.js';
import type { DatabaseHost, ModuleDatabase } from '../../../store/index.js';
import { Idea, IdeaInput } from '../contracts.js';
import type { BuildIdeasTable, BuildOutboxTable, BuildRecordsTable, BuildTables } from './schema.js';

export { buildTables, type BuildTables, type BuildOutboxTable, type BuildRecordsTable } from './schema.js';

const Strings = z.array(z.string());

const ideaOf = (row: Selectable<BuildIdeasTable>): Idea =>
  // Checked on the way out too: a row written by another version must still be an idea.
  Idea.parse({
    id: row.id,
    title: row.title,
    description: row.description,
    requirements: Strings.parse(JSON.parse(row.requirements)),
    research_findings: Strings.parse(JSON.parse(row.research_findings)),
    viability_score: Number(row.viability_score),
    champion: row.champion,
    created_by: row.created_by,
    created_at: new Date(Number(row.created_at)).toISOString(),
  });

export interface AddIdeaOptions {
  /** Who adds it (an actor id); null when nobody is named. */
  createdBy?: string | null;
  now?: number;
}

export class BuildData {
  constructor(private readonly database: ModuleDatabase<BuildTables>) {}

  /** Checks the input (422 naming each bad field) and stores a new idea. */
  async addIdea(input: unknown, { createdBy = null, now = Date.now() }: AddIdeaOptions = {}): Promise<Idea> {
    const parsed = IdeaInput.safeParse(input);
    if (!parsed.success) throw new InvalidParametersError('the idea is invalid', issuesOf(parsed.error));
    const idea = parsed.data;
    const row: BuildIdeasTable = {
      id: `idea-${randomUUID()}`,
      title: idea.title,
      description: idea.description,
      requirements: JSON.stringify(idea.requirements),
      research_findings: JSON.stringify(idea.research_findings),
      viability_score: idea.viability_score,
      champion: idea.champion,
      created_by: createdBy,
      created_at: now,
    };
    await this.database.execute(this.database.db.insertInto('build_ideas').values(row).compile());
    return ideaOf(row);
  }

  async idea(id: string): Promise<Idea | undefined> {
    const { rows } = await this.database.execute(this.database.db.selectFrom('build_ideas').selectAll().where('id', '=', id).compile());
    return rows[0] && ideaOf(rows[0]);
  }

  /** Newest first, a page at a time. */
  async listIdeas({ limit = 50, offset = 0 }: { limit?: number; offset?: number } = {}): Promise<{ ideas: Idea[]; total: number }> {
    const { db } = this.database;
    const [{ rows }, { rows: count }] = await Promise.all([
      this.database.execute(db.selectFrom('build_ideas').selectAll().orderBy('created_at', 'desc').orderBy('id').limit(limit).offset(offset).compile()),
      this.database.execute(db.selectFrom('build_ideas').select((eb) => eb.fn.countAll<number>().as('total')).compile()),
    ]);
    return { ideas: rows.map(ideaOf), total: Number(count[0]?.total ?? 0) };
  }

  /** Records a finished build; a second write for the same run (a handoff re-run) keeps the first. */
  async recordBuild(record: BuildRecord): Promise<void> {
    const { run_id, ...rest } = record;
    const row: BuildRecordsTable = {
      ...rest,
      build_run_id: run_id,
      urls: JSON.stringify(record.urls),
      resources: JSON.stringify(record.resources),
      costs: JSON.stringify(record.costs),
      completed_at: Date.parse(record.completed_at),
    };
    await this.database.execute(
      this.database.db
        .insertInto('build_records')
        .values(row)
        .onConflict((oc) => oc.column('build_run_id').doNothing())
        .compile(),
    );
  }

  async buildRecord(runId: string): Promise<BuildRecord | undefined> {
    const { rows } = await this.database.execute(this.database.db.selectFrom('build_records').selectAll().where('build_run_id', '=', runId).compile());
    return rows[0] && recordOf(rows[0]);
  }

  /** The latest finished build of an app other than `exceptRun`: what the target runs now, for the planned changes and the cost change. */
  async latestRecordOf(appName: string, exceptRun: string): Promise<BuildRecord | undefined> {
    const { rows } = await this.database.execute(
      this.database.db
        .selectFrom('build_records')
        .selectAll()
        .where('app_name', '=', appName)
        .where('build_run_id', '!=', exceptRun)
        .orderBy('completed_at', 'desc')
        .limit(1)
        .compile(),
    );
    return rows[0] && recordOf(rows[0]);
  }

  /** Finished builds, newest first, with their monthly costs (the roll-ups sum them). */
  async buildRecords({ limit = 100, offset = 0 }: { limit?: number; offset?: number } = {}): Promise<{ records: BuildRecord[]; total: number; monthly_cents: number }> {
    const { db } = this.database;
    const [{ rows }, { rows: totals }] = await Promise.all([
      this.database.execute(db.selectFrom('build_records').selectAll().orderBy('completed_at', 'desc').orderBy('build_run_id').limit(limit).offset(offset).compile()),
      this.database.execute(
        db
          .selectFrom('build_records')
          .select((eb) => [eb.fn.countAll<number>().as('total'), eb.fn.sum<number>('monthly_cents').as('monthly_cents')])
          .compile(),
      ),
    ]);
    return { records: rows.map(recordOf), total: Number(totals[0]?.total ?? 0), monthly_cents: Number(totals[0]?.monthly_cents ?? 0) };
  }

  /** Writes a notification once: the same key again is a no-op (answers false). */
  async enqueueNotification(entry: { key: string; run_id: string; kind: string; payload: unknown; at: number }): Promise<boolean> {
    const { rows } = await this.database.execute(
      this.database.db
        .insertInto('build_outbox')
        .values({ key: entry.key, run_id: entry.run_id, kind: entry.kind, payload: JSON.stringify(entry.payload), created_at: entry.at, sent_at: null, attempts: 0, last_error: null })
        .onConflict((oc) => oc.column('key').doNothing())
        .returning('key')
        .compile(),
    );
    return rows.length > 0;
  }

  async notification(key: string): Promise<OutboxEntry | undefined> {
    const { rows } = await this.database.execute(this.database.db.selectFrom('build_outbox').selectAll().where('key', '=', key).compile());
    return rows[0];
  }

  /** Unsent notifications, oldest first. */
  async pendingNotifications(limit = 20): Promise<OutboxEntry[]> {
    const { rows } = await this.database.execute(
      this.database.db.selectFrom('build_outbox').selectAll().where('sent_at', 'is', null).orderBy('created_at').orderBy('key').limit(limit).compile(),
    );
    return rows;
  }

  /** Records one delivery attempt: sent (with its time) or failed (with the error). */
  async markNotification(key: string, outcome: { sent_at: number } | { error: string }): Promise<void> {
    const { db } = this.database;
    await this.database.execute(
      db
        .updateTable('build_outbox')
        .set((eb) => ({
          attempts: eb('attempts', '+', 1),
          ...('sent_at' in outcome ? { sent_at: outcome.sent_at, last_error: null } : { last_error: outcome.error.slice(0, 2_000) }),
        }))
        .where('key', '=', key)
        .compile(),
    );
  }
}

/** A finished build as recorded (the JSON columns parsed). */
export const BuildRecord = z.object({
  run_id: z.string(),
  idea_id: z.string(),
  app_name: z.string(),
  stack: z.string(),
  template: z.string(),
  commit: z.string(),
  urls: z.record(z.string(), z.string()),
  resources: z.record(z.string(), z.array(z.object({ type: z.string(), name: z.string(), sku: z.string().nullable(), instances: z.number() }))),
  costs: z.record(z.string(), z.number().int()),
  monthly_cents: z.number().int(),
  completed_at: z.iso.datetime(),
});
export type BuildRecord = z.infer<typeof BuildRecord>;

const recordOf = ({ build_run_id, ...row }: Selectable<BuildRecordsTable>): BuildRecord =>
  BuildRecord.parse({
    ...row,
    run_id: build_run_id,
    urls: JSON.parse(row.urls) as unknown,
    resources: JSON.parse(row.resources) as unknown,
    costs: JSON.parse(row.costs) as unknown,
    monthly_cents: Number(row.monthly_cents),
    completed_at: new Date(Number(row.completed_at)).toISOString(),
  });

export type OutboxEntry = Selectable<BuildOutboxTable>;

const opened = new WeakMap<DatabaseHost, BuildData>();

/** The build data of a database (one per store). */
export function buildData(host: DatabaseHost): BuildData {
  let data = opened.get(host);
  if (!data) opened.set(host, (data = new BuildData(host.database<BuildTables>())));
  return data;
}
