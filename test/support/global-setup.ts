/** Says once, for the whole run, whether the PostgreSQL suites run. */
export default function setup(): void {
  if (!process.env.BATON_TEST_POSTGRES_URL) {
    console.log('PostgreSQL suites skipped: set BATON_TEST_POSTGRES_URL=postgres://… to run them (.ci/run does).');
  }
}
