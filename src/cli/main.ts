/** The `baton` command line. */
import { Command } from 'commander';
import { BatonError } from '../errors/index.js';
import { DEFAULT_SQLITE_PATH, openStore } from '../store/index.js';
import { runDemo } from './demo.js';

const program = new Command('baton').description('Durable multi-agent workflow orchestrator').showHelpAfterError();

program
  .command('demo')
  .description('run a small editorial workflow end to end and narrate it (SQLite by default; DATABASE_URL for PostgreSQL)')
  .option('--db <path>', 'SQLite file', process.env.BATON_SQLITE_PATH ?? DEFAULT_SQLITE_PATH)
  .action(async (options: { db: string }) => {
    const store = await openStore({ databaseUrl: process.env.DATABASE_URL, sqlitePath: options.db, origin: 'cli' });
    try {
      await runDemo(store, (line) => console.log(line));
    } finally {
      await store.close();
    }
  });

try {
  await program.parseAsync();
} catch (error) {
  if (error instanceof BatonError) {
    console.error(`error ${error.code}: ${error.message}`);
    for (const suggestion of error.suggestions) console.error(`  - ${suggestion}`);
  } else {
    console.error(error);
  }
  process.exitCode = 1;
}
