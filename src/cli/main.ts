/** The `baton` command line. */
import { Command } from 'commander';
import { BatonError } from '../errors/index.js';
import { DEFAULT_SQLITE_PATH, openStore } from '../store/index.js';
import { serverConfigFromEnv } from '../server/config.js';
import { runDemo } from './demo.js';
import { runSeasonDemo } from './season-demo.js';
import { registerExtractCommand } from './extract.js';
import { registerForecastCommand } from './forecast/index.js';
import { serve } from './serve.js';
import { registerDataCommands } from './data.js';
import { registerDeliveryCommands } from './delivery.js';

const program = new Command('baton').description('Durable multi-agent workflow orchestrator').showHelpAfterError();

program
  .command('demo')
  .description('plan a retail season end to end: synthetic data, parameters from a sentence, forecast, buy, allocation, weekly actuals, replenishment, markdown (SQLite by default; DATABASE_URL for PostgreSQL)')
  .option('--db <path>', 'SQLite file', process.env.BATON_SQLITE_PATH ?? DEFAULT_SQLITE_PATH)
  .option('--editorial', 'run the small editorial workflow instead (the engine on one page)')
  .action(async (options: { db: string; editorial?: boolean }) => {
    const store = await openStore({ databaseUrl: process.env.DATABASE_URL, sqlitePath: options.db, origin: 'cli' });
    try {
      const print = (line: string) => console.log(line);
      if (options.editorial) await runDemo(store, print);
      else if ((await runSeasonDemo(store, print)).state !== 'completed') process.exitCode = 1;
    } finally {
      await store.close();
    }
  });

program
  .command('serve')
  .description('serve the HTTP API, the OpenAPI docs (/docs) and the live WebSocket streams')
  .option('--port <port>', 'port (BATON_PORT, default 8000)')
  .option('--host <host>', 'address to listen on (BATON_HOST, default 127.0.0.1)')
  .option('--db <path>', 'SQLite file', process.env.BATON_SQLITE_PATH ?? DEFAULT_SQLITE_PATH)
  .action(async (options: { port?: string; host?: string; db: string }) => {
    const config = serverConfigFromEnv({
      ...process.env,
      ...(options.port === undefined ? {} : { BATON_PORT: options.port }),
      ...(options.host === undefined ? {} : { BATON_HOST: options.host }),
    });
    const store = await openStore({ databaseUrl: process.env.DATABASE_URL, sqlitePath: options.db, origin: `serve-${process.pid}` });
    await serve(store, config);
  });

registerDataCommands(program);

registerForecastCommand(program);

registerExtractCommand(program);

registerDeliveryCommands(program);

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
