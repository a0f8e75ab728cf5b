/** The `baton` command line. Settings come from the environment, then a `.env` file in the working directory. */
import { Command, CommanderError } from 'commander';
import { BatonError } from '../errors/index.js';
import { DEFAULT_SQLITE_PATH } from '../store/index.js';
import { loadDotEnv } from './env.js';
import { consoleIo, EXIT, report, runRunsCli, runsCommand } from './runs/index.js';

// Output piped into a reader that stops early (`baton runs events … | head`) is not an error: stop quietly, as Unix tools do.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

// First of all: every option default and setting below reads process.env.
try {
  loadDotEnv();
} catch (error) {
  process.exit(report(error, consoleIo) === EXIT.error ? EXIT.error : EXIT.usage);
}

if (process.argv[2] === 'runs') {
  // `baton runs …` loads only what it uses (the engine or an HTTP client), not every command's modules.
  process.exitCode = await runRunsCli(process.argv.slice(2));
} else {
  await runProgram();
}

async function runProgram(): Promise<void> {
  const [
    { openBatonStore: openStore },
    { serverConfigFromEnv },
    { registerExtractCommand },
    { registerForecastCommand },
    { registerDataCommands },
    { registerDeliveryCommands },
  ] = await Promise.all([
    import('./modules.js'),
    import('../server/config.js'),
    import('./extract.js'),
    import('./forecast/index.js'),
    import('./data.js'),
    import('./delivery.js'),
  ]);
  const program = new Command('baton').description('Durable multi-agent workflow orchestrator').showHelpAfterError();

  program
    .command('demo')
    .description(
      'plan a retail season end to end: synthetic data, parameters from a sentence, forecast, buy, allocation, weekly actuals, replenishment, markdown (SQLite by default; DATABASE_URL for PostgreSQL)',
    )
    .option('--db <path>', 'SQLite file', process.env.BATON_SQLITE_PATH ?? DEFAULT_SQLITE_PATH)
    .option('--editorial', 'run the small editorial workflow instead (the engine on one page)')
    .action(async (options: { db: string; editorial?: boolean }) => {
      const store = await openStore({ databaseUrl: process.env.DATABASE_URL, sqlitePath: options.db, origin: 'cli' });
      try {
        const print = (line: string) => console.log(line);
        if (options.editorial) await (await import('./demo.js')).runDemo(store, print);
        else if ((await (await import('./season-demo.js')).runSeasonDemo(store, print)).state !== 'completed') process.exitCode = 1;
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
    .option('--no-worker', 'API node: serve HTTP and streams, claim and drive no runs (BATON_NODE_ROLE=api)')
    .option('--worker-only', 'worker node: drive runs, serve only /health and /metrics (BATON_NODE_ROLE=worker)')
    .action(async (options: { port?: string; host?: string; db: string; worker: boolean; workerOnly?: boolean }) => {
      if (options.workerOnly === true && !options.worker)
        throw new BatonError('BAD_REQUEST', '--no-worker and --worker-only contradict each other: choose one');
      const config = serverConfigFromEnv({
        ...process.env,
        ...(options.port === undefined ? {} : { BATON_PORT: options.port }),
        ...(options.host === undefined ? {} : { BATON_HOST: options.host }),
      });
      const store = await openStore({ databaseUrl: process.env.DATABASE_URL, sqlitePath: options.db, origin: `serve-${process.pid}` });
      const role = options.workerOnly === true ? 'worker' : options.worker ? undefined : 'api';
      try {
        await (await import('./serve.js')).serve(store, config, undefined, role === undefined ? {} : { role });
      } catch (error) {
        // A node that cannot start closes its database at once: an open pool would keep the process alive.
        await store.close().catch(() => undefined);
        throw error;
      }
    });

  registerDataCommands(program);

  registerForecastCommand(program);

  registerExtractCommand(program);

  registerDeliveryCommands(program);

  // Listed in `baton --help`; run through runRunsCli above.
  program.addCommand(runsCommand(consoleIo, (code) => (process.exitCode = code)));

  program.addCommand((await import('./actors.js')).actorsCommand(consoleIo, (code) => (process.exitCode = code)));
  program.addCommand((await import('./build.js')).buildCommand(consoleIo, (code) => (process.exitCode = code)));

  try {
    await program.parseAsync();
  } catch (error) {
    if (error instanceof CommanderError) {
      process.exitCode = error.exitCode;
    } else if (error instanceof BatonError) {
      console.error(`error ${error.code}: ${error.message}`);
      for (const suggestion of error.suggestions) console.error(`  - ${suggestion}`);
      process.exitCode = 1;
    } else {
      // One line (a refused connection, an unreadable file: mostly settings); the stack only on request.
      const code = (error as { code?: unknown } | null)?.code;
      console.error(`error${typeof code === 'string' ? ` ${code}` : ''}: ${error instanceof Error ? error.message : String(error)}`);
      if (process.env.BATON_DEBUG) console.error(error);
      else console.error('  - check the settings (DATABASE_URL, …), or rerun with BATON_DEBUG=1 for the stack trace');
      process.exitCode = 1;
    }
  }
}
