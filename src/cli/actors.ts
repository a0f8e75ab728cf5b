/**
 * `baton actors`: the people and services who may use Baton, their roles and tokens, managed on the
 * database directly (--db, DATABASE_URL): whoever can open the database is its root.
 * Exit codes as `baton runs`: 0 ok, 1 error, 2 usage or invalid input, 3 not found, 4 conflict.
 */
import { Command, Option } from 'commander';
import { ACTOR_KINDS, ACTOR_SCOPES, type ActorRecord, type IssuedToken } from '../actors/contracts.js';
import type { ActorDirectory } from '../actors/directory.js';
import { BatonError } from '../errors/index.js';
import { DEFAULT_SQLITE_PATH } from '../store/index.js';
import { consoleIo, EXIT, report, runSubcommand, type Io } from './runs/index.js';

const collect = (value: string, previous: string[]): string[] => [...previous, value];
const commaList = (value: string): string[] =>
  value
    .split(',')
    .map((r) => r.trim())
    .filter(Boolean);

const ONCE = 'this token is shown once and cannot be shown again: store it now (baton actors token <name> mints another)';

const rolesText = (roles: readonly string[]): string => (roles.length === 0 ? 'no role' : `roles ${roles.join(', ')}`);
const describe = (a: ActorRecord): string => `${a.name} (${a.kind}, scope ${a.scope}, ${rolesText(a.roles)})`;

function actorTable(actors: readonly ActorRecord[]): string[] {
  const rows = actors.map((a) => [
    a.name,
    a.kind,
    a.scope,
    a.roles.join(',') || '-',
    String(a.tokens.filter((t) => t.revoked_at === null).length),
    a.revoked_at === null ? 'active' : `revoked ${a.revoked_at}`,
    a.id,
  ]);
  const header = ['NAME', 'KIND', 'SCOPE', 'ROLES', 'TOKENS', 'STATE', 'ID'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]?.length ?? 0)));
  return [header, ...rows].map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join('  '));
}

interface Where {
  db: string;
  json?: boolean;
}

/** Builds the `actors` command; `done` receives each finished command's exit code. */
export function actorsCommand(io: Io, done: (code: number) => void): Command {
  const print = (line = '') => io.out(`${line}\n`);
  const note = (line: string) => io.err(`${line}\n`);
  const actors = new Command('actors')
    .description('people and services, their roles and tokens (on the database; DATABASE_URL for PostgreSQL)')
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .addHelpText(
      'after',
      '\nWith no actor and no BATON_API_TOKEN, `baton serve` needs no token (one local user); once an actor exists every request needs one.\n',
    );

  const verb = (name: string, description: string) =>
    actors
      .command(name)
      .description(description)
      .option('--db <file>', 'SQLite file', process.env.BATON_SQLITE_PATH ?? DEFAULT_SQLITE_PATH)
      .option('--json', 'print the API shapes as JSON');

  /** Opens the directory on the database for one command and closes it afterwards, whatever happens. */
  const act =
    <A extends unknown[]>(body: (directory: ActorDirectory, where: Where, ...args: A) => Promise<void>) =>
    async (...args: A): Promise<void> => {
      const command = args.at(-1) as Command;
      const where = command.opts<Where>();
      let code: number = EXIT.ok;
      let close: (() => Promise<void>) | undefined;
      try {
        // Loaded on demand: `baton --help` loads no store.
        const [{ openBatonStore }, { ActorDirectory }] = await Promise.all([import('./modules.js'), import('../actors/directory.js')]);
        const store = await openBatonStore({ databaseUrl: process.env.DATABASE_URL, sqlitePath: where.db, origin: 'cli' });
        close = () => store.close();
        await body(ActorDirectory.of(store), where, ...args);
      } catch (error) {
        code = report(error, io);
      } finally {
        await close?.().catch((error: unknown) => note(`closing: ${error instanceof Error ? error.message : String(error)}`));
      }
      done(code);
    };

  const showToken = (token: IssuedToken) => {
    print(`token ${token.token}`);
    note(ONCE);
  };

  verb('add', 'add a person or service and print its first token (once)')
    .argument('<name>', 'a unique name (letters, digits, . _ @ -)')
    .option('--role <role>', 'a role it holds (repeat for several)', collect, [] as string[])
    .addOption(
      new Option('--scope <scope>', 'read: runs and streams only; write: also start runs and decide; admin: also manage actors')
        .choices(ACTOR_SCOPES)
        .default('write'),
    )
    .addOption(new Option('--kind <kind>', 'a person or a service').choices(ACTOR_KINDS).default('person'))
    .option('--label <label>', 'what the token is for (e.g. laptop)')
    .action(
      act(async (directory, where, name: string, options: { role: string[]; scope: ActorRecord['scope']; kind: ActorRecord['kind']; label?: string }) => {
        const { actor, token } = await directory.add({
          name,
          roles: options.role.flatMap(commaList),
          scope: options.scope,
          kind: options.kind,
          ...(options.label === undefined ? {} : { label: options.label }),
        });
        if (where.json) {
          print(JSON.stringify({ actor, token }));
          note(ONCE);
          return;
        }
        print(`added ${describe(actor)}`);
        showToken(token);
      }),
    );

  verb('list', 'actors (revoked ones too) with their roles and live tokens, never a secret').action(
    act(async (directory, where) => {
      const all = await directory.list();
      if (where.json) print(JSON.stringify({ actors: all }));
      else if (all.length === 0) note('no actor: `baton serve` runs in the local single-user mode (no token needed) unless BATON_API_TOKEN is set');
      else for (const line of actorTable(all)) print(line);
    }),
  );

  verb('revoke', 'revoke an actor and every token of it (its name stays taken)')
    .argument('<name>', 'name or id')
    .action(
      act(async (directory, where, name: string) => {
        const actor = await directory.revoke(name);
        print(where.json ? JSON.stringify(actor) : `revoked ${actor.name} and its ${actor.tokens.length} token(s)`);
      }),
    );

  verb('roles', "change an actor's roles: --add, --remove (repeatable) or --set r1,r2")
    .argument('<name>', 'name or id')
    .option('--add <role>', 'a role to add (repeat for several)', collect, [] as string[])
    .option('--remove <role>', 'a role to remove (repeat for several)', collect, [] as string[])
    .option('--set <roles>', 'the whole list, comma-separated (empty: no role)')
    .action(
      act(async (directory, where, name: string, options: { add: string[]; remove: string[]; set?: string }) => {
        const add = options.add.flatMap(commaList);
        const remove = options.remove.flatMap(commaList);
        if (options.set !== undefined && (add.length > 0 || remove.length > 0))
          throw new BatonError('BAD_REQUEST', '--set replaces the roles: give it alone, or use --add and --remove');
        if (options.set === undefined && add.length === 0 && remove.length === 0) {
          const actor = await directory.get(name);
          print(where.json ? JSON.stringify(actor) : describe(actor));
          return;
        }
        const actor = options.set === undefined ? await directory.changeRoles(name, { add, remove }) : await directory.setRoles(name, commaList(options.set));
        print(where.json ? JSON.stringify(actor) : `${describe(actor)}`);
      }),
    );

  verb('token', 'mint another token for an actor and print it (once)')
    .argument('<name>', 'name or id')
    .option('--label <label>', 'what the token is for (e.g. ci)')
    .action(
      act(async (directory, where, name: string, options: { label?: string }) => {
        const token = await directory.issueToken(name, options.label);
        if (where.json) {
          print(JSON.stringify(token));
          note(ONCE);
        } else showToken(token);
      }),
    );

  verb('revoke-token', 'revoke one token of an actor (its other tokens keep working)')
    .argument('<name>', 'name or id')
    .argument('<token-id>', 'the token id (baton actors list --json shows them)')
    .action(
      act(async (directory, where, name: string, tokenId: string) => {
        const token = await directory.revokeToken(tokenId, name);
        print(where.json ? JSON.stringify(token) : `revoked token ${token.id} of ${name}`);
      }),
    );

  return actors;
}

/** Runs `baton actors …` (argv from `actors` on) with this output; returns the exit code. */
export const runActorsCli = (argv: readonly string[], io: Io = consoleIo): Promise<number> => runSubcommand(actorsCommand, argv, io);
