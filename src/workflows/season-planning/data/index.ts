/** Season planning's data access: its tables, migrations and queries, built on the database handle the store gives the module. */
import type { DatabaseHost } from '../../../store/index.js';
import { KyselySeasonData } from './kysely-season-data.js';
import type { SeasonTables } from './schema.js';
import type { SeasonData } from './types.js';

export type * from './types.js';
export { seasonTables, type SeasonTables } from './schema.js';

const opened = new WeakMap<DatabaseHost, SeasonData>();

/** The season data of a database (one per store, so the statement shapes are compiled once). */
export function seasonData(host: DatabaseHost): SeasonData {
  let data = opened.get(host);
  if (!data) opened.set(host, (data = new KyselySeasonData(host.database<SeasonTables>())));
  return data;
}
