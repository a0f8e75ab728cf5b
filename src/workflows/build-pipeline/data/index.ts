/** The build pipeline's data access on the database handle the store gives the module: ideas in, ideas out, checked by zod both ways. */
import { randomUUID } from 'node:crypto';
import type { Selectable } from 'kysely';
import { z } from 'zod';
import { InvalidParametersError } from '../../../errors/index.js';
import { issuesOf } from '../../../errors/zod-issues.js';
import type { DatabaseHost, ModuleDatabase } from '../../../store/index.js';
import { Idea, IdeaInput } from '../contracts.js';
import type { BuildIdeasTable, BuildTables } from './schema.js';

export { buildTables, type BuildTables } from './schema.js';

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
}

const opened = new WeakMap<DatabaseHost, BuildData>();

/** The build data of a database (one per store). */
export function buildData(host: DatabaseHost): BuildData {
  let data = opened.get(host);
  if (!data) opened.set(host, (data = new BuildData(host.database<BuildTables>())));
  return data;
}
