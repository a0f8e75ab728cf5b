/**
 * The actors and their tokens in the database (tables `actors`, `actor_tokens`), on the handle the
 * store gives modules: adding and revoking people and services, their roles, minting tokens, and
 * turning a bearer token back into the actor it belongs to. The CLI and the server share it.
 */
import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { sql, type CompiledQuery, type Selectable } from 'kysely';
import { z } from 'zod';
import { ConflictError, InvalidParametersError, NotFoundError } from '../errors/index.js';
import { issuesOf } from '../errors/zod-issues.js';
import { query, type DatabaseHost, type ModuleDatabase } from '../store/index.js';
import type { ActorTokensTable, ActorsTable } from '../store/schema.js';
import { ActorKind, ActorName, ActorScope, RoleName, type Actor, type ActorRecord, type IssuedToken, type TokenRecord } from './contracts.js';

type ActorTables = { actors: ActorsTable; actor_tokens: ActorTokensTable };
type ActorRow = Selectable<ActorsTable>;
type TokenRow = Selectable<ActorTokensTable>;

const Roles = z.array(RoleName).max(32);
const TokenLabel = z.string().trim().min(1).max(100);

export const NewActor = z.object({
  name: ActorName,
  kind: ActorKind.default('person'),
  scope: ActorScope.default('write'),
  roles: Roles.default([]),
  /** A label for the first token (e.g. "laptop"). */
  label: TokenLabel.optional(),
});
export type NewActor = z.input<typeof NewActor>;

export const RoleChange = z.object({ add: Roles.default([]), remove: Roles.default([]) });
export type RoleChange = z.input<typeof RoleChange>;

/** An actor's name equal to `name` but for its case: the database's lower() on both sides, so they agree. */
const sameName = (name: string) => sql<boolean>`lower(name) = lower(${name})`;

/** Either an actor's id or its name: both are unique, and neither is a secret. */
const ActorKey = z.string().min(1).max(128);
const TokenId = z.string().min(1).max(64);

function parse<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new InvalidParametersError(`${what} is invalid`, issuesOf(parsed.error));
  return parsed.data;
}

/**
 * A token is `baton_<token id>_<secret>`: the id (16 hex digits, public: decisions record it) finds
 * the row in one indexed lookup, the secret (32 random bytes, base64url) proves the holder.
 */
const TOKEN_FORMAT = /^baton_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;
const newTokenId = (): string => randomBytes(8).toString('hex');
const newSecret = (): string => randomBytes(32).toString('base64url');

/**
 * SHA-256 over a per-token 16-byte salt and the secret. A slow password hash (scrypt, argon2)
 * protects guessable passwords; these secrets are 256 random bits, which no amount of hashing
 * speed makes guessable, so one fast hash is enough and keeps every request's check cheap. The
 * salt makes equal secrets (there are none in practice) and precomputed tables useless anyway.
 */
const hashOf = (salt: Buffer, secret: string): Buffer => createHash('sha256').update(salt).update(secret, 'utf8').digest();

/** Compared against when a token id is unknown, so an unknown id costs what a wrong secret does. */
const DECOY = { salt: randomBytes(16), hash: randomBytes(32) };

const iso = (ms: number | string | null): string | null => (ms === null ? null : new Date(Number(ms)).toISOString());
const rolesOf = (row: ActorRow): string[] => z.array(z.string()).parse(JSON.parse(row.roles));
const tokenRecord = (row: TokenRow): TokenRecord => ({ id: row.id, label: row.label, created_at: iso(row.created_at) ?? '', revoked_at: iso(row.revoked_at) });

function actorRecord(row: ActorRow, tokens: readonly TokenRow[]): ActorRecord {
  return {
    id: row.id,
    name: row.name,
    kind: ActorKind.parse(row.kind),
    scope: ActorScope.parse(row.scope),
    roles: rolesOf(row),
    created_at: iso(row.created_at) ?? '',
    revoked_at: iso(row.revoked_at),
    tokens: tokens.filter((t) => t.actor_id === row.id).map(tokenRecord),
  };
}

const isUniqueViolation = (error: unknown): boolean => {
  const code = (error as { code?: unknown } | null)?.code;
  // PostgreSQL: 23505 unique_violation; better-sqlite3: SQLITE_CONSTRAINT_UNIQUE / _PRIMARYKEY.
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
};

export class ActorDirectory {
  private readonly db;

  constructor(private readonly database: ModuleDatabase<ActorTables>) {
    this.db = database.db;
  }

  static of(host: DatabaseHost): ActorDirectory {
    return new ActorDirectory(host.database<ActorTables>());
  }

  /** Whether any actor was ever added, revoked ones included: revoking everyone must not reopen the local single-user mode. */
  async hasActors(): Promise<boolean> {
    const rows = await this.database.execute(this.db.selectFrom('actors').select('id').limit(1).compile());
    return rows.rows.length > 0;
  }

  /** Adds an actor with a first token; the answer's `token.token` is the only time the secret is seen. */
  async add(input: NewActor, now = Date.now()): Promise<{ actor: ActorRecord; token: IssuedToken }> {
    const spec = parse(NewActor, input, 'the actor');
    const actor: ActorRow = {
      id: randomUUID(),
      name: spec.name,
      kind: spec.kind,
      scope: spec.scope,
      roles: JSON.stringify([...new Set(spec.roles)]),
      created_at: now,
      revoked_at: null,
    };
    const { row: tokenRow, token } = this.mint(actor.id, spec.label ?? null, now);
    const { db } = this;
    const sameName = this.sameNameQuery(spec.name);
    try {
      await this.database.transact(function* () {
        // "Buyer1" beside "buyer1" would be two people to the database and one to everyone reading the audit.
        const { rows } = yield* query<ActorRow>(sameName);
        const taken = rows[0];
        if (taken) {
          throw new ConflictError(
            `an actor named "${taken.name}" exists already (names are told apart without their case)`,
            { name: spec.name, existing: taken.name },
            ['choose another name (a revoked actor keeps its name, so past decisions stay unambiguous)'],
          );
        }
        yield* query(db.insertInto('actors').values(actor).compile());
        yield* query(db.insertInto('actor_tokens').values(tokenRow).compile());
      });
    } catch (error) {
      if (isUniqueViolation(error))
        throw new ConflictError(`an actor named "${spec.name}" exists already`, { name: spec.name }, [
          'choose another name (a revoked actor keeps its name, so past decisions stay unambiguous)',
        ]);
      throw error;
    }
    return { actor: actorRecord(actor, [tokenRow]), token: { ...tokenRecord(tokenRow), token } };
  }

  /** Every actor, revoked ones included, with their tokens' ids and labels (never secrets nor hashes), by name. */
  async list(): Promise<ActorRecord[]> {
    const actors = await this.database.execute(this.db.selectFrom('actors').selectAll().orderBy('name').compile());
    const tokens = await this.database.execute(this.db.selectFrom('actor_tokens').selectAll().orderBy('created_at').orderBy('id').compile());
    return actors.rows.map((row) => actorRecord(row, tokens.rows));
  }

  async get(key: string): Promise<ActorRecord> {
    const row = await this.find(key);
    const tokens = await this.database.execute(
      this.db.selectFrom('actor_tokens').selectAll().where('actor_id', '=', row.id).orderBy('created_at').orderBy('id').compile(),
    );
    return actorRecord(row, tokens.rows);
  }

  /** Revokes the actor and every token of it, in one transaction; revoking again changes nothing. */
  async revoke(key: string, now = Date.now()): Promise<ActorRecord> {
    const row = await this.find(key);
    const { db } = this;
    await this.database.transact(function* () {
      yield* query(db.updateTable('actors').set({ revoked_at: now }).where('id', '=', row.id).where('revoked_at', 'is', null).compile());
      yield* query(db.updateTable('actor_tokens').set({ revoked_at: now }).where('actor_id', '=', row.id).where('revoked_at', 'is', null).compile());
    });
    return this.get(row.id);
  }

  /** Replaces the actor's roles. */
  async setRoles(key: string, roles: readonly string[]): Promise<ActorRecord> {
    const wanted = parse(Roles, roles, 'the roles');
    return this.updateRoles(key, () => wanted);
  }

  /** Adds and removes roles (removal wins when a role is in both). */
  async changeRoles(key: string, change: RoleChange): Promise<ActorRecord> {
    const { add, remove } = parse(RoleChange, change, 'the role change');
    return this.updateRoles(key, (current) => [...current.filter((r) => !remove.includes(r)), ...add.filter((r) => !remove.includes(r))]);
  }

  /** Mints another token for a live actor; the answer's `token` is the only time the secret is seen. */
  async issueToken(key: string, label?: string, now = Date.now()): Promise<IssuedToken> {
    const row = await this.find(key);
    if (row.revoked_at !== null) throw new ConflictError(`actor "${row.name}" is revoked`, { actor: row.name }, ['add a new actor instead']);
    const tag = label === undefined ? null : parse(TokenLabel, label, 'the token label');
    const { row: tokenRow, token } = this.mint(row.id, tag, now);
    await this.database.execute(this.db.insertInto('actor_tokens').values(tokenRow).compile());
    return { ...tokenRecord(tokenRow), token };
  }

  /** Revokes one token (of `actorKey` when given: a token of another actor is not found). */
  async revokeToken(tokenId: string, actorKey?: string, now = Date.now()): Promise<TokenRecord> {
    const id = parse(TokenId, tokenId, 'the token id');
    const owner = actorKey === undefined ? undefined : await this.find(actorKey);
    const found = await this.database.execute(this.db.selectFrom('actor_tokens').selectAll().where('id', '=', id).compile());
    const token = found.rows[0];
    if (!token || (owner && token.actor_id !== owner.id)) throw new NotFoundError('token', id);
    if (token.revoked_at !== null) return tokenRecord(token);
    await this.database.execute(this.db.updateTable('actor_tokens').set({ revoked_at: now }).where('id', '=', id).where('revoked_at', 'is', null).compile());
    return tokenRecord({ ...token, revoked_at: now });
  }

  /**
   * The live actor a bearer token belongs to, or undefined for anything else (malformed, unknown,
   * wrong secret, revoked token or actor): the caller answers all of them alike. The token id is
   * not secret (decisions record it), so finding its row by index reveals nothing; the secret's hash
   * is compared timing-safe, and an unknown id is compared against a decoy so it costs the same.
   */
  async authenticate(presented: string): Promise<Actor | undefined> {
    const match = TOKEN_FORMAT.exec(presented);
    if (!match) return undefined;
    const [, tokenId = '', secret = ''] = match;
    const found = await this.database.execute(
      this.db
        .selectFrom('actor_tokens')
        .innerJoin('actors', 'actors.id', 'actor_tokens.actor_id')
        .select([
          'actor_tokens.id as token_id',
          'actor_tokens.salt',
          'actor_tokens.hash',
          'actor_tokens.revoked_at as token_revoked_at',
          'actors.id',
          'actors.name',
          'actors.kind',
          'actors.scope',
          'actors.roles',
          'actors.revoked_at',
          'actors.created_at',
        ])
        .where('actor_tokens.id', '=', tokenId)
        .compile(),
    );
    const row = found.rows[0];
    const salt = row ? Buffer.from(row.salt, 'base64url') : DECOY.salt;
    const stored = row ? Buffer.from(row.hash, 'hex') : DECOY.hash;
    const matches = stored.length === 32 && timingSafeEqual(hashOf(salt, secret), stored);
    if (!row || !matches || row.token_revoked_at !== null || row.revoked_at !== null) return undefined;
    return {
      id: row.id,
      name: row.name,
      token_id: row.token_id,
      kind: ActorKind.parse(row.kind),
      scope: ActorScope.parse(row.scope),
      roles: rolesOf(row),
      any_role: false,
    };
  }

  private mint(actorId: string, label: string | null, now: number): { row: TokenRow; token: string } {
    const id = newTokenId();
    const secret = newSecret();
    const salt = randomBytes(16);
    return {
      row: { id, actor_id: actorId, salt: salt.toString('base64url'), hash: hashOf(salt, secret).toString('hex'), label, created_at: now, revoked_at: null },
      token: `baton_${id}_${secret}`,
    };
  }

  private async find(key: string): Promise<ActorRow> {
    const wanted = parse(ActorKey, key, 'the actor');
    // One read: the id, or the name in any case ("ada" for "Ada" is that actor: names are told apart without their case).
    const found = await this.database.execute(
      this.db
        .selectFrom('actors')
        .selectAll()
        .where((eb) => eb.or([eb('id', '=', wanted), sameName(wanted)]))
        .orderBy('created_at')
        .compile(),
    );
    // An id equal to another actor's name cannot happen (ids are UUIDs, names are checked), but the id wins, then the
    // name as typed (older rows may hold two spellings), then the oldest other spelling.
    const row = found.rows.find((r) => r.id === wanted) ?? found.rows.find((r) => r.name === wanted) ?? found.rows[0];
    if (!row) throw new NotFoundError('actor', wanted, ['baton actors list shows the actors']);
    return row;
  }

  /** The actor whose name is `name` but for its case (the oldest when older rows hold two spellings). */
  private sameNameQuery(name: string): CompiledQuery<ActorRow> {
    return this.db.selectFrom('actors').selectAll().where(sameName(name)).orderBy('created_at').limit(1).compile();
  }

  /**
   * Reads the roles and writes the new list only if they did not change meanwhile (compare and
   * swap, which both databases do alike), trying again otherwise: two changes at once both count.
   */
  private async updateRoles(key: string, next: (current: readonly string[]) => string[]): Promise<ActorRecord> {
    for (let attempt = 0; ; attempt++) {
      const row = await this.find(key);
      if (row.revoked_at !== null) throw new ConflictError(`actor "${row.name}" is revoked`, { actor: row.name }, ['add a new actor instead']);
      const roles = [...new Set(next(rolesOf(row)))];
      if (roles.length > 32) throw new InvalidParametersError('the roles are invalid', [{ path: 'roles', message: 'an actor holds at most 32 roles' }]);
      const updated = await this.database.execute(
        this.db
          .updateTable('actors')
          .set({ roles: JSON.stringify(roles) })
          .where('id', '=', row.id)
          .where('roles', '=', row.roles)
          .compile(),
      );
      if (updated.numAffectedRows !== 0n) return this.get(row.id);
      if (attempt >= 10) throw new ConflictError(`the roles of "${row.name}" kept changing; try again`, { actor: row.name });
    }
  }
}
