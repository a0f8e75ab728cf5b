/**
 * `baton build`: the build pipeline from the command line, on the database directly (--db, DATABASE_URL):
 * `idea add` / `idea list`, `costs` (per build and across builds), `down` (stop the local target's apps) and `demo`.
 * Builds are started over HTTP (`POST /api/builds/ideas/{id}/build`) or by the demo; `baton serve` drives them.
 */
import { Command } from 'commander';
import { DEFAULT_SQLITE_PATH, type BatonStore } from '../store/index.js';
import { EXIT, report, runSubcommand, type Io } from './runs/index.js';

const collect = (value: string, previous: string[]): string[] => [...previous, value];

export function buildCommand(io: Io, done: (code: number) => void): Command {
  const print = (line = '') => io.out(`${line}\n`);
  const build = new Command('build')
    .description('the build pipeline: ideas, costs, the local apps, and a demo (on the database; DATABASE_URL for PostgreSQL)')
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({ writeOut: io.out, writeErr: io.err });

  /** Opens the store with every module's tables for one command and closes it, whatever happens. */
  const onStore =
    <A extends unknown[]>(body: (store: BatonStore, ...args: A) => Promise<number | void>) =>
    async (...args: A): Promise<void> => {
      const command = args.at(-1) as Command;
      const { db } = command.opts<{ db: string }>();
      let code: number;
      let store: BatonStore | undefined;
      try {
        const { openBatonStore } = await import('./modules.js');
        store = await openBatonStore({ databaseUrl: process.env.DATABASE_URL, sqlitePath: db, origin: 'cli' });
        code = (await body(store, ...args)) ?? EXIT.ok;
      } catch (error) {
        code = report(error, io);
      } finally {
        await store?.close().catch(() => undefined);
      }
      done(code);
    };
  const dbOption = (command: Command) => command.option('--db <file>', 'SQLite file', process.env.BATON_SQLITE_PATH ?? DEFAULT_SQLITE_PATH);

  const idea = build.command('idea').description('ideas waiting to be built');
  dbOption(
    idea
      .command('add')
      .description('add an idea (built only on request, and only with a viability score above 85)')
      .requiredOption('--title <text>', 'what it is')
      .requiredOption('--description <text>', 'what it does and for whom')
      .option('--requirement <text>', 'a requirement (repeat for several)', collect, [] as string[])
      .option('--finding <text>', 'a research finding (repeat for several)', collect, [] as string[])
      .requiredOption('--score <0-100>', 'viability score')
      .requiredOption('--champion <name>', 'who argues for it (approves its production deploy as Champion)'),
  ).action(
    onStore(async (store, options: Record<string, unknown>) => {
      const [{ addIdeaCommand }, { buildData }] = await Promise.all([
        import('../workflows/build-pipeline/idea-command.js'),
        import('../workflows/build-pipeline/data/index.js'),
      ]);
      const { db: _db, ...rest } = options;
      void _db;
      await addIdeaCommand(buildData(store), rest, print);
    }),
  );
  dbOption(idea.command('list').description('the ideas, newest first').option('--json', 'print the API shapes as JSON')).action(
    onStore(async (store, options: { json?: boolean }) => {
      const { buildData } = await import('../workflows/build-pipeline/data/index.js');
      const { ideas, total } = await buildData(store).listIdeas({ limit: 500 });
      if (options.json) return void print(JSON.stringify({ ideas, total }, null, 2));
      for (const i of ideas) print(`${i.id}  ${String(i.viability_score).padStart(5)}  ${i.title} (champion ${i.champion})`);
      print(`${total} idea${total === 1 ? '' : 's'}`);
    }),
  );

  dbOption(build.command('costs').description('finished builds with their monthly cost, and the sum across builds').option('--json', 'print JSON')).action(
    onStore(async (store, options: { json?: boolean }) => {
      const [{ buildData }, { formatUsd }] = await Promise.all([
        import('../workflows/build-pipeline/data/index.js'),
        import('../workflows/build-pipeline/infra/index.js'),
      ]);
      const rollup = await buildData(store).buildRecords({ limit: 500 });
      if (options.json) return void print(JSON.stringify(rollup, null, 2));
      for (const r of rollup.records)
        print(
          `${r.completed_at}  ${r.app_name.padEnd(22)} ${Object.entries(r.costs)
            .map(([env, cents]) => `${env} ${formatUsd(cents)}`)
            .join(', ')
            .padEnd(40)} ${formatUsd(r.monthly_cents)}/month`,
        );
      print(`${rollup.total} build${rollup.total === 1 ? '' : 's'}: ${formatUsd(rollup.monthly_cents)} a month in all`);
    }),
  );

  build
    .command('down')
    .description("stop the local target's apps (routers and slots) of one app, or of every app")
    .argument('[app]', 'the app name (as in the build record); all when omitted')
    .action(async (app: string | undefined) => {
      let code: number = EXIT.ok;
      try {
        const [{ buildSettings }, { buildWorkspace }, { LocalTarget }] = await Promise.all([
          import('../workflows/build-pipeline/settings.js'),
          import('../workflows/build-pipeline/workspace.js'),
          import('../workflows/build-pipeline/deploy/local/target.js'),
        ]);
        const settings = buildSettings(process.env);
        const target = new LocalTarget({ stateDir: buildWorkspace(settings.BATON_BUILD_DIR).targetDir, portBase: settings.BATON_LOCAL_TARGET_PORT });
        const apps = app ? [app] : await target.buildIds();
        for (const name of apps) {
          await target.teardown(name);
          print(`stopped ${name}`);
        }
        if (apps.length === 0) print('no app is running');
      } catch (error) {
        code = report(error, io);
      }
      done(code);
    });

  dbOption(build.command('demo').description('an idea built, tested and deployed locally, approved for prod, then a defective release rolled back')).action(
    onStore(async (store) => {
      const { runBuildDemo } = await import('./build-demo.js');
      return (await runBuildDemo(store, process.env, print)) ? EXIT.ok : EXIT.error;
    }),
  );
  return build;
}

/** Runs `baton build …` once with the given output (tests call it in-process); answers the exit code. */
export const runBuildCli = (argv: readonly string[], io: Io): Promise<number> => runSubcommand(buildCommand, argv, io);
