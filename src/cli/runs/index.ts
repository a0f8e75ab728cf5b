/**
 * `baton runs`: list, inspect, follow and steer runs from a terminal, on the database directly
 * (--db, DATABASE_URL) or through a server (--url, --token), with the same output either way.
 * Exit codes: 0 ok, 1 error, 2 usage or invalid input, 3 not found, 4 conflict, 5 unauthorised.
 */
import { Command, CommanderError, Option } from 'commander';
import { BatonError, type ErrorCode } from '../../errors/index.js';
import { DEFAULT_SQLITE_PATH } from '../../store/index.js';
import type { PruneResult } from '../../store/index.js';
import type { RunsBackend, RunView } from './backend.js';
import { endsRun, eventLine, headlineFigures, isFinished, runTable, showRun, statusLine, waitsOf } from './format.js';
import { PRUNABLE_STATES, RUN_STATES } from '../../store/index.js';
import { DELIMITERS, type Delimiter } from '../../workflows/season-planning/data/csv-conventions.js';

export const EXIT = { ok: 0, error: 1, usage: 2, notFound: 3, conflict: 4, unauthorised: 5 } as const;

const EXIT_BY_CODE: Partial<Record<ErrorCode, number>> = {
  BAD_REQUEST: EXIT.usage,
  INCOMPLETE_INPUT: EXIT.usage,
  INVALID_PARAMETERS: EXIT.usage,
  PAYLOAD_TOO_LARGE: EXIT.usage,
  NOT_FOUND: EXIT.notFound,
  DATA_NOT_FOUND: EXIT.notFound,
  CONFLICT: EXIT.conflict,
  INVALID_TRANSITION: EXIT.conflict,
  UNAUTHORIZED: EXIT.unauthorised,
  FORBIDDEN: EXIT.unauthorised,
};

export const EXIT_HELP = `
Where the runs are:
  --db <file>       the SQLite file (default BATON_SQLITE_PATH, else ${DEFAULT_SQLITE_PATH}); DATABASE_URL=postgres://… wins
  --url <url>       a server instead (e.g. http://127.0.0.1:8000); --token or BATON_API_TOKEN is sent as a bearer token
On the database an action that resumes a run leaves it to a worker on that database (baton serve) unless --wait
drives it here until it waits or ends.

Exit codes:
  0  done
  1  failed (database or server unreachable, internal error)
  2  usage: a bad option or argument, or input the run refused (BAD_REQUEST, INVALID_PARAMETERS, INCOMPLETE_INPUT)
  3  not found (NOT_FOUND: no such run, file or database)
  4  conflict (CONFLICT, INVALID_TRANSITION: e.g. the run is not waiting for an approval)
  5  unauthorised (UNAUTHORIZED, FORBIDDEN: a missing or wrong token)
Errors print as "error CODE: message" with suggestions on stderr, as the API's error vocabulary names them.`;

/** Where output goes: stdout for the result, stderr for errors and notes. Tests pass their own. */
export interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
}

export const consoleIo: Io = { out: (text) => process.stdout.write(text), err: (text) => process.stderr.write(text) };

interface Target {
  db: string;
  url?: string;
  token?: string;
  json?: boolean;
}

const usage = (message: string, suggestions: string[] = []) => new BatonError('BAD_REQUEST', message, { suggestions });

async function openBackend(target: Target): Promise<RunsBackend> {
  if (target.url !== undefined) {
    // Loaded on demand: a command against a server never loads the engine and its workflows, and the reverse.
    const { RemoteBackend } = await import('./remote.js');
    return new RemoteBackend({ url: target.url, token: target.token ?? process.env.BATON_API_TOKEN });
  }
  const { openDirect } = await import('./direct.js');
  return openDirect({ sqlitePath: target.db, databaseUrl: process.env.DATABASE_URL });
}

const AGE = /^(\d{1,6})([smhdw])$/;
const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 };

/** `90d`, `12h`, `2w`… as milliseconds. */
export function parseAge(text: string, option: string): number {
  const match = AGE.exec(text.trim());
  if (!match) throw usage(`${option} "${text}" is not an age`, [`write it as a number and a unit: 30s, 15m, 12h, 7d, 2w`]);
  return Number(match[1]) * UNIT_MS[match[2]!]!;
}

/** `--since`: an age (7d: the last seven days) or an ISO date or time. */
export function parseSince(text: string, now: number): number {
  if (AGE.test(text.trim())) return now - parseAge(text, '--since');
  const at = /^\d{4}-\d{2}-\d{2}/.test(text) ? Date.parse(text) : Number.NaN;
  if (Number.isNaN(at))
    throw usage(`--since "${text}" is neither an age nor an ISO date`, ['e.g. --since 7d, --since 2026-01-05 or --since 2026-01-05T09:00:00Z']);
  return at;
}

function wholeNumber(text: string, option: string, min: number, max: number): number {
  if (!/^\d{1,16}$/.test(text) || Number(text) < min || Number(text) > max)
    throw usage(`${option} must be a whole number from ${min} to ${max}, not "${text}"`);
  return Number(text);
}

/** Reports an error the way `baton` does, and says which exit code it means. */
export function report(error: unknown, io: Io): number {
  if (error instanceof BatonError) {
    io.err(`error ${error.code}: ${error.message}\n`);
    for (const suggestion of error.suggestions) io.err(`  - ${suggestion}\n`);
    return EXIT_BY_CODE[error.code] ?? EXIT.error;
  }
  io.err(`error INTERNAL_ERROR: ${error instanceof Error ? error.message : String(error)}\n`);
  return EXIT.error;
}

/** Builds the `runs` command; `done` receives each finished command's exit code. */
export function runsCommand(io: Io, done: (code: number) => void): Command {
  const print = (line = '') => io.out(`${line}\n`);
  const note = (line: string) => io.err(`${line}\n`);
  const runs = new Command('runs')
    .description('list, inspect, follow and steer runs (on the database, or a server with --url)')
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .addHelpText('after', EXIT_HELP);

  /** A verb with the target options; its action gets an open backend, closed afterwards whatever happens. */
  const verb = (name: string, description: string) =>
    runs
      .command(name)
      .description(description)
      .option('--db <file>', 'SQLite file', process.env.BATON_SQLITE_PATH ?? DEFAULT_SQLITE_PATH)
      .option('--url <url>', 'a Baton server instead of the database')
      .option('--token <token>', 'bearer token for the server (default BATON_API_TOKEN)')
      .option('--json', 'print the API shapes as JSON');

  const act =
    <A extends unknown[]>(body: (backend: RunsBackend, target: Target, ...args: A) => Promise<void>) =>
    async (...args: A): Promise<void> => {
      const command = args.at(-1) as Command;
      const target = command.opts<Target>();
      let code: number = EXIT.ok;
      let backend: RunsBackend | undefined;
      try {
        backend = await openBackend(target);
        await body(backend, target, ...args);
      } catch (error) {
        code = report(error, io);
      } finally {
        await backend?.close().catch((error: unknown) => note(`closing: ${error instanceof Error ? error.message : String(error)}`));
      }
      done(code);
    };

  /** Prints the run after an action, waiting for it first with --wait. */
  const after = async (backend: RunsBackend, run: RunView, options: { json?: boolean; wait?: boolean; timeout: string }) => {
    let status = run;
    if (options.wait && status.state === 'running') status = await backend.settle(status.run_id, wholeNumber(options.timeout, '--timeout', 1, 86_400) * 1000);
    if (options.json) print(JSON.stringify(status));
    else print(statusLine(status));
    if (!options.wait && status.state === 'running' && backend.kind === 'database') {
      note('the run goes on in a worker on this database (baton serve picks it up); --wait drives it here until it waits or ends');
    }
  };
  const waitOptions = (command: Command) =>
    command
      .option('--wait', 'wait until the run waits again or ends (on the database: drive it here meanwhile)')
      .option('--timeout <seconds>', 'how long --wait waits', '300');

  verb('list', 'runs, newest first, as a table (or --json)')
    .option('--workflow <name>', 'only runs of this workflow')
    .addOption(new Option('--state <state>', 'only runs in this state').choices(RUN_STATES))
    .option('--session <id>', 'only runs of this session')
    .option('--since <when>', 'only runs created since: an age (7d, 12h) or an ISO date')
    .option('--limit <n>', 'at most this many', '50')
    .option('--offset <n>', 'skip this many first', '0')
    .action(
      act(
        async (backend, target, options: { workflow?: string; state?: RunView['state']; session?: string; since?: string; limit: string; offset: string }) => {
          const limit = wholeNumber(options.limit, '--limit', 1, 10_000);
          let offset = wholeNumber(options.offset, '--offset', 0, 1_000_000_000);
          const since = options.since === undefined ? undefined : parseSince(options.since, Date.now());
          const filter = {
            ...(options.workflow === undefined ? {} : { workflow: options.workflow }),
            ...(options.state === undefined ? {} : { state: options.state }),
            ...(options.session === undefined ? {} : { sessionId: options.session }),
          };
          const shown: RunView[] = [];
          let total = 0;
          if (since === undefined) {
            // Pages of at most 500 (the API's limit) until `limit` runs are in.
            for (;;) {
              const page = await backend.list({ ...filter, limit: Math.min(500, limit - shown.length), offset });
              total = page.total;
              shown.push(...page.runs);
              offset += page.runs.length;
              if (page.runs.length === 0 || shown.length >= limit) break;
            }
          } else {
            // Newest first: read until the first run older than `since`, counting the matches past the limit too.
            for (let done = false; !done;) {
              const page = await backend.list({ ...filter, limit: 500, offset });
              offset += page.runs.length;
              for (const run of page.runs) {
                if (Date.parse(run.created_at) < since) {
                  done = true;
                  break;
                }
                total++;
                if (shown.length < limit) shown.push(run);
              }
              if (page.runs.length < 500) done = true;
            }
          }
          if (target.json) return print(JSON.stringify({ runs: shown, total }));
          if (shown.length === 0) return print(total === 0 ? 'no runs' : `no runs at this offset (${total} in all)`);
          for (const line of runTable(shown)) print(line);
          print(`${shown.length} of ${total} run${total === 1 ? '' : 's'}`);
        },
      ),
    );

  verb('show', "a run: state, phase, what it waits for, its waits, the season plan's figures, its last events")
    .argument('<run>', 'run id')
    .option('--events <n>', 'how many of the last events to show', '10')
    .action(
      act(async (backend, target, runId: string, options: { events: string }) => {
        const count = wholeNumber(options.events, '--events', 0, 10_000);
        const run = await backend.status(runId);
        const events = await backend.events(runId, 0, Number.MAX_SAFE_INTEGER);
        if (target.json)
          return print(JSON.stringify({ run, waits: waitsOf(events), plan: headlineFigures(events), events: events.slice(events.length - count) }));
        for (const line of showRun(run, events, count)) print(line);
      }),
    );

  verb('events', "a run's events after a sequence number")
    .argument('<run>', 'run id')
    .option('--since <seq>', 'events after this seq', '0')
    .option('--limit <n>', 'at most this many', '1000')
    .action(
      act(async (backend, target, runId: string, options: { since: string; limit: string }) => {
        const events = await backend.events(
          runId,
          wholeNumber(options.since, '--since', 0, Number.MAX_SAFE_INTEGER),
          wholeNumber(options.limit, '--limit', 1, 1_000_000),
        );
        for (const event of events) print(target.json ? JSON.stringify(event) : eventLine(event));
      }),
    );

  verb('watch', 'follow a run live until it ends (resuming from the last event if the connection drops)')
    .argument('<run>', 'run id')
    .option('--since <seq>', 'start after this seq', '0')
    .action(
      act(async (backend, target, runId: string, options: { since: string }) => {
        const since = wholeNumber(options.since, '--since', 0, Number.MAX_SAFE_INTEGER);
        const show = (event: Parameters<typeof eventLine>[0]) => print(target.json ? JSON.stringify(event) : eventLine(event));
        const start = await backend.status(runId);
        if (!target.json) print(`watching ${statusLine(start)} on ${backend.describe}, from seq ${since}`);
        let last = since;
        if (isFinished(start.state)) {
          for (const event of await backend.events(runId, since, Number.MAX_SAFE_INTEGER)) show(event);
        } else {
          await backend.follow(
            runId,
            since,
            (event) => {
              show(event);
              last = event.seq;
              return endsRun(event);
            },
            note,
          );
          // What committed with the last state change (workflow_complete follows run_state).
          for (const event of await backend.events(runId, last, 100)) show(event);
        }
        if (!target.json) print(statusLine(await backend.status(runId)));
      }),
    );

  const resolution = (action: 'accept' | 'reject' | 'modify', description: string) => {
    const command = verb(action === 'accept' ? 'approve' : action, description)
      .argument('<run>', 'run id')
      .option('--approval <id>', 'the approval meant (refused if the run waits for another)')
      .option('--comment <text>', 'a comment kept with the decision')
      .option('--role <role>', 'the role answering, for approvals that name one');
    if (action === 'modify') command.requiredOption('--data <json>', 'the modified values, as JSON');
    waitOptions(command).action(
      act(
        async (
          backend,
          target,
          runId: string,
          options: { approval?: string; comment?: string; role?: string; data?: string; wait?: boolean; timeout: string },
        ) => {
          let data: unknown;
          if (options.data !== undefined) {
            try {
              data = JSON.parse(options.data);
            } catch (error) {
              throw usage(`--data is not JSON: ${(error as Error).message}`, [`e.g. --data '{"manufacturing_quantity": 12000}'`]);
            }
          }
          const run = await backend.status(runId);
          const wait = run.waiting_for;
          if (run.state !== 'waiting' || wait?.kind !== 'approval') {
            throw new BatonError(
              'CONFLICT',
              `run "${runId}" is not waiting for an approval (it is ${run.state}${run.phase ? ` at ${run.phase}` : ''}${wait ? `, waiting for ${wait.kind}` : ''})`,
              {
                details: { run_id: runId, state: run.state, waiting_for: wait?.kind ?? null },
                suggestions:
                  wait?.kind === 'actuals'
                    ? [`post the week's actuals: baton runs post-actuals ${runId} --week N --file sales.csv`]
                    : [`see where it stands: baton runs show ${runId}`],
              },
            );
          }
          if (options.approval !== undefined && options.approval !== wait.approval_id) {
            throw new BatonError('CONFLICT', `run "${runId}" waits for approval ${wait.approval_id}, not ${options.approval}`, {
              details: { approval_id: wait.approval_id },
              suggestions: [`baton runs show ${runId}`],
            });
          }
          const resolved = await backend.resolve(runId, wait.approval_id, {
            action,
            ...(data === undefined ? {} : { data }),
            ...(options.comment === undefined ? {} : { comment: options.comment }),
            ...(options.role === undefined ? {} : { role: options.role }),
          });
          await after(backend, resolved, { ...options, json: target.json ?? false });
        },
      ),
    );
  };
  resolution('accept', "accept the run's open approval");
  resolution('reject', "reject the run's open approval");
  resolution('modify', "accept the run's open approval with modified values (--data)");

  waitOptions(
    verb(
      'post-actuals',
      "a week's actual sales for a season-planning run waiting for them, from a CSV (store_id,category_id,units_sold; a week column adds late rows of earlier weeks)",
    )
      .argument('<run>', 'run id')
      .requiredOption('--week <n>', 'the season week (1-based)')
      .requiredOption('--file <csv>', 'the CSV file')
      .option(
        '--partial',
        "the file lacks some planned series (stores that have not reported yet): they are left out of the week's comparison, not read as zero",
      )
      .option(
        '--confirm-unusual',
        'post a week 10× its forecast or more, or with sales a twentieth or less (refused otherwise as another measure or another file)',
      )
      .option('--late <csv>', 'series earlier weeks were posted without, from a CSV (week,store_id,category_id,units_sold): added to their weeks')
      .option(
        '--corrections <csv>',
        "figures earlier weeks hold that were wrong, from a CSV (week,store_id,category_id,units_sold): each replaces its week's figure from now on",
      )
      .addOption(
        new Option('--delimiter <separator>', "what separates the files' fields (default ,); with ; figures may use decimal commas (24.924,50)").choices([
          ...DELIMITERS,
        ]),
      ),
  ).action(
    act(
      async (
        backend,
        target,
        runId: string,
        options: {
          week: string;
          file: string;
          partial?: boolean;
          confirmUnusual?: boolean;
          late?: string;
          corrections?: string;
          delimiter?: Delimiter;
          wait?: boolean;
          timeout: string;
        },
      ) => {
        const { readActualsCsv, readEarlierWeeksCsv } = await import('./actuals-csv.js');
        const actuals = readActualsCsv(options.file, wholeNumber(options.week, '--week', 1, 52), options.delimiter);
        const late = [...(actuals.late ?? []), ...(options.late === undefined ? [] : readEarlierWeeksCsv(options.late, options.delimiter))];
        const body = {
          ...actuals,
          ...(options.partial === true ? { partial: true } : {}),
          ...(options.confirmUnusual === true ? { confirm_unusual: true } : {}),
          ...(late.length > 0 ? { late } : {}),
          ...(options.corrections === undefined ? {} : { corrections: readEarlierWeeksCsv(options.corrections, options.delimiter) }),
        };
        await after(backend, await backend.postActuals(runId, body), { ...options, json: target.json ?? false });
      },
    ),
  );

  verb('cancel', 'cancel a running or waiting run')
    .argument('<run>', 'run id')
    .option('--reason <text>', 'why (kept in the log)')
    .action(
      act(async (backend, target, runId: string, options: { reason?: string }) => {
        await after(backend, await backend.cancel(runId, options.reason), { json: target.json ?? false, timeout: '1' });
      }),
    );

  waitOptions(verb('retry', 'run a failed run again from the step that failed').argument('<run>', 'run id')).action(
    act(async (backend, target, runId: string, options: { wait?: boolean; timeout: string }) => {
      await after(backend, await backend.retry(runId), { ...options, json: target.json ?? false });
    }),
  );

  waitOptions(
    verb('rollback', 'send a run back to an earlier phase, which runs again')
      .argument('<run>', 'run id')
      .requiredOption('--to <phase>', 'the phase to go back to')
      .option('--reason <text>', 'why (kept in the log)'),
  ).action(
    act(async (backend, target, runId: string, options: { to: string; reason?: string; wait?: boolean; timeout: string }) => {
      await after(backend, await backend.rollback(runId, options.to, options.reason), { ...options, json: target.json ?? false });
    }),
  );

  runs
    .command('prune')
    .description('delete finished runs older than an age with all their data, one transaction per run (on the database only)')
    .requiredOption('--older-than <age>', 'finished longer ago than this: 90d, 12w, 36h…')
    .option('--state <states>', `comma-separated, among ${PRUNABLE_STATES.join(', ')} (default: all of them)`)
    .option('--dry-run', 'count what would go, delete nothing')
    .option('--db <file>', 'SQLite file', process.env.BATON_SQLITE_PATH ?? DEFAULT_SQLITE_PATH)
    .option('--url <url>', '(refused: pruning works on the database)')
    .option('--json', 'print the result as JSON')
    .action(async (options: { olderThan: string; state?: string; dryRun?: boolean; db: string; url?: string; json?: boolean }) => {
      let code: number = EXIT.ok;
      try {
        if (options.url !== undefined)
          throw usage('prune works on the database, not through a server', [
            '--db <file> or DATABASE_URL=postgres://…, on a machine that reaches the database',
          ]);
        const cutoff = Date.now() - parseAge(options.olderThan, '--older-than');
        const states = options.state
          ?.split(',')
          .map((s) => s.trim())
          .filter(Boolean);
        for (const state of states ?? []) {
          if (!(PRUNABLE_STATES as readonly string[]).includes(state))
            throw usage(`--state "${state}" cannot be pruned`, [`choose among ${PRUNABLE_STATES.join(', ')}; running and waiting runs are never pruned`]);
        }
        const { pruneOnDatabase } = await import('./prune.js');
        const result = await pruneOnDatabase(
          { sqlitePath: options.db, databaseUrl: process.env.DATABASE_URL },
          { finishedBefore: cutoff, ...(states ? { states: states as RunView['state'][] } : {}), dryRun: options.dryRun ?? false },
        );
        if (options.json) print(JSON.stringify(result));
        else for (const line of describePrune(result)) print(line);
      } catch (error) {
        code = report(error, io);
      }
      done(code);
    });

  return runs;
}

const mb = (bytes: number) => (bytes >= 1_048_576 ? `${(bytes / 1_048_576).toFixed(1)} MB` : `${(bytes / 1024).toFixed(1)} KB`);

export function describePrune(result: PruneResult): string[] {
  const verb = result.dryRun ? 'would delete' : 'deleted';
  const rows = Object.entries(result.rows)
    .filter(([table]) => table !== 'runs')
    .map(([table, n]) => `${table} ${n}`)
    .join(', ');
  return [
    `${verb} ${result.runs} run${result.runs === 1 ? '' : 's'} (${result.states.join(', ')}) finished before ${new Date(result.finishedBefore).toISOString()}`,
    `rows: ${rows}`,
    result.freedBytes === null ? `space: ${result.spaceNote}` : `space: ${mb(result.freedBytes)} (${result.freedBytes} bytes) — ${result.spaceNote}`,
  ];
}

/** Runs `baton runs …` (argv from `runs` on) and returns the exit code. */
export const runRunsCli = (argv: readonly string[], io: Io = consoleIo): Promise<number> => runSubcommand(runsCommand, argv, io);

/**
 * Runs one `baton` subcommand built by `build` (argv from its name on) with this output; returns the
 * exit code: usage errors as EXIT.usage, others as `report` maps them, else what the command set.
 */
export async function runSubcommand(build: (io: Io, setCode: (code: number) => void) => Command, argv: readonly string[], io: Io = consoleIo): Promise<number> {
  let code: number = EXIT.ok;
  const program = new Command('baton').exitOverride().configureOutput({ writeOut: io.out, writeErr: io.err });
  program.addCommand(build(io, (c) => (code = c)));
  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    return report(error, io);
  }
  return code;
}
