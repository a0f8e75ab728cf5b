/** Says once, for the whole run, whether the PostgreSQL suites run; afterwards drops the run's test databases. */
import pg from 'pg';

/** As stores.ts names them; not imported from there, which would load the whole store in the main process. */
const TEST_DATABASE_PREFIX = 'baton_test_';

export default function setup(): (() => Promise<void>) | void {
  const url = process.env.BATON_TEST_POSTGRES_URL;
  if (!url) {
    console.log('PostgreSQL suites skipped: set BATON_TEST_POSTGRES_URL=postgres://… to run them (.ci/run does).');
    return;
  }
  // The workers (child processes of this one) named their databases after this process.
  return async () => {
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    try {
      const { rows } = await admin.query<{ name: string }>('select datname as name from pg_database where datname like $1', [
        `${TEST_DATABASE_PREFIX}${process.pid}_w%`,
      ]);
      for (const { name } of rows) await admin.query(`drop database if exists "${name}" with (force)`);
    } finally {
      await admin.end();
    }
  };
}
