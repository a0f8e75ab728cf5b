/**
 * The build pipeline's tables: the ideas (intake). A build is a run of the `build-pipeline` workflow in the
 * session `build:<idea id>`, so an idea's builds are found through the run store and need no table here.
 * Migration names follow the core's and season planning's (01xx: this module's).
 */
import type { Kysely, Migration } from 'kysely';
import type { StoreModule } from '../../../store/index.js';

export interface BuildIdeasTable {
  id: string;
  title: string;
  description: string;
  /** JSON array of strings. */
  requirements: string;
  /** JSON array of strings. */
  research_findings: string;
  viability_score: number;
  champion: string;
  created_by: string | null;
  created_at: number;
}

export interface BuildTables {
  build_ideas: BuildIdeasTable;
}

const buildIdeas: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('build_ideas')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('title', 'text', (c) => c.notNull())
      .addColumn('description', 'text', (c) => c.notNull())
      .addColumn('requirements', 'text', (c) => c.notNull())
      .addColumn('research_findings', 'text', (c) => c.notNull())
      .addColumn('viability_score', 'double precision', (c) => c.notNull())
      .addColumn('champion', 'text', (c) => c.notNull())
      .addColumn('created_by', 'text')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();
    // The list route answers newest first.
    await db.schema.createIndex('build_ideas_created').on('build_ideas').columns(['created_at']).execute();
  },
};

/** The build pipeline's part of the database. Ideas outlive their builds, so no table here is pruned with a run. */
export const buildTables: StoreModule = {
  name: 'build-pipeline',
  migrations: () => ({ '0101_build_ideas': buildIdeas }),
  runTables: [],
};
