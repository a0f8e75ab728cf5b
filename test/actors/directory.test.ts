// The actors' directory on real databases: adding people and services, their roles and tokens, revoking them, and turning tokens back into actors.
import { afterEach, beforeEach, expect, it } from 'vitest';
import { ActorDirectory } from '../../src/actors/directory.js';
import { BatonError } from '../../src/errors/index.js';
import type { ActorTokensTable } from '../../src/store/schema.js';
import { describeEachStore, type TestStore } from '../support/stores.js';

const codeOf = async (promise: Promise<unknown>): Promise<string> => {
  try {
    await promise;
  } catch (error) {
    if (error instanceof BatonError) return error.code;
    throw error;
  }
  throw new Error('expected a BatonError');
};

describeEachStore('actors directory', (kind) => {
  let t: TestStore;
  let actors: ActorDirectory;
  beforeEach(async () => {
    t = await kind.create();
    actors = ActorDirectory.of(t.store);
  });
  afterEach(() => t.dispose());

  it('has no actors in a new database, and has them once one is added, even after it is revoked', async () => {
    expect(await actors.hasActors()).toBe(false);
    await actors.add({ name: 'ada', roles: ['buyer'] });
    expect(await actors.hasActors()).toBe(true);
    await actors.revoke('ada');
    expect(await actors.hasActors()).toBe(true);
  });

  it('adds an actor with a token that authenticates as that actor, with its roles and scope', async () => {
    const { actor, token } = await actors.add({ name: 'ada', roles: ['buyer', 'lead-builder', 'buyer'], scope: 'write', label: 'laptop' });
    expect(actor).toMatchObject({ name: 'ada', kind: 'person', scope: 'write', roles: ['buyer', 'lead-builder'], revoked_at: null });
    expect(token.token).toMatch(/^baton_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/);
    expect(token.label).toBe('laptop');
    expect(await actors.authenticate(token.token)).toEqual({
      id: actor.id,
      name: 'ada',
      token_id: token.id,
      kind: 'person',
      scope: 'write',
      roles: ['buyer', 'lead-builder'],
      any_role: false,
    });
  });

  it('stores tokens only as salted hashes: neither the token nor its secret is in the table, and salts differ', async () => {
    const first = await actors.add({ name: 'ada' });
    const second = await actors.issueToken('ada');
    const { rows } = await t.store
      .database<{ actor_tokens: ActorTokensTable }>()
      .execute(t.store.database<{ actor_tokens: ActorTokensTable }>().db.selectFrom('actor_tokens').selectAll().compile());
    expect(rows).toHaveLength(2);
    const text = JSON.stringify(rows);
    for (const issued of [first.token, second]) {
      const secret = issued.token.split('_').slice(2).join('_');
      expect(text).not.toContain(secret);
      expect(text).not.toContain(issued.token);
    }
    expect(rows.map((r) => r.hash)).toEqual(expect.arrayContaining([expect.stringMatching(/^[0-9a-f]{64}$/)]));
    expect(new Set(rows.map((r) => r.salt)).size).toBe(2);
  });

  it('refuses a token with a wrong secret, an unknown id or a malformed shape', async () => {
    const { token } = await actors.add({ name: 'ada' });
    const secret = token.token.slice(-43);
    const flipped = `${token.token.slice(0, -43)}${secret[0] === 'A' ? 'B' : 'A'}${secret.slice(1)}`;
    expect(await actors.authenticate(flipped)).toBeUndefined();
    expect(await actors.authenticate(`baton_0123456789abcdef_${secret}`)).toBeUndefined();
    expect(await actors.authenticate('not-a-token')).toBeUndefined();
    expect(await actors.authenticate(`${token.token}x`)).toBeUndefined();
  });

  it('revokes an actor with all its tokens, and one token alone', async () => {
    const { actor, token } = await actors.add({ name: 'ada' });
    const spare = await actors.issueToken('ada', 'ci');
    const other = await actors.issueToken(actor.id);
    const revokedOne = await actors.revokeToken(other.id, 'ada');
    expect(revokedOne.revoked_at).not.toBeNull();
    expect(await actors.authenticate(other.token)).toBeUndefined();
    expect(await actors.authenticate(spare.token)).toMatchObject({ name: 'ada', token_id: spare.id });

    const revoked = await actors.revoke('ada');
    expect(revoked.revoked_at).not.toBeNull();
    expect(revoked.tokens.every((tk) => tk.revoked_at !== null)).toBe(true);
    expect(await actors.authenticate(token.token)).toBeUndefined();
    expect(await actors.authenticate(spare.token)).toBeUndefined();
    expect(await codeOf(actors.issueToken('ada'))).toBe('CONFLICT');
  });

  it('refuses a duplicate name with CONFLICT (a revoked actor keeps its name) and an unknown one with NOT_FOUND', async () => {
    await actors.add({ name: 'ada' });
    expect(await codeOf(actors.add({ name: 'ada' }))).toBe('CONFLICT');
    await actors.revoke('ada');
    expect(await codeOf(actors.add({ name: 'ada' }))).toBe('CONFLICT');
    expect(await codeOf(actors.revoke('nobody'))).toBe('NOT_FOUND');
    expect(await codeOf(actors.setRoles('nobody', ['buyer']))).toBe('NOT_FOUND');
    expect(await codeOf(actors.issueToken('nobody'))).toBe('NOT_FOUND');
    expect(await codeOf(actors.revokeToken('0123456789abcdef'))).toBe('NOT_FOUND');
  });

  it('tells names apart without their case: "Buyer1" beside "buyer1" is refused, and either spelling finds the actor', async () => {
    await actors.add({ name: 'Buyer1', roles: ['buyer'] });
    const twin = await actors.add({ name: 'buyer1' }).then(
      () => undefined,
      (error: unknown) => error as BatonError,
    );
    expect(twin).toMatchObject({ code: 'CONFLICT', details: { name: 'buyer1', existing: 'Buyer1' } });
    expect(twin?.message).toBe('an actor named "Buyer1" exists already (names are told apart without their case)');
    // The admin types the name as it comes to mind: the one actor it names gets the role.
    await actors.setRoles('BUYER1', ['buyer', 'planner']);
    expect((await actors.list()).map((a) => [a.name, a.roles])).toEqual([['Buyer1', ['buyer', 'planner']]]);
  });

  it('does not revoke a token through another actor', async () => {
    await actors.add({ name: 'ada' });
    const { token } = await actors.add({ name: 'bob' });
    expect(await codeOf(actors.revokeToken(token.id, 'ada'))).toBe('NOT_FOUND');
    expect(await actors.authenticate(token.token)).toMatchObject({ name: 'bob' });
  });

  it('validates names, roles, scopes and kinds', async () => {
    expect(await codeOf(actors.add({ name: 'two words' }))).toBe('INVALID_PARAMETERS');
    expect(await codeOf(actors.add({ name: '' }))).toBe('INVALID_PARAMETERS');
    expect(await codeOf(actors.add({ name: 'ada', roles: ['Lead Builder'] }))).toBe('INVALID_PARAMETERS');
    expect(await codeOf(actors.add({ name: 'ada', scope: 'root' as 'admin' }))).toBe('INVALID_PARAMETERS');
    expect(await codeOf(actors.add({ name: 'ada', kind: 'robot' as 'service' }))).toBe('INVALID_PARAMETERS');
    expect(await actors.hasActors()).toBe(false);
    await actors.add({ name: 'ada' });
    expect(await codeOf(actors.setRoles('ada', ['UPPER']))).toBe('INVALID_PARAMETERS');
  });

  it('sets, adds and removes roles, and the next authentication sees them', async () => {
    const { token } = await actors.add({ name: 'ada', roles: ['buyer'] });
    await actors.changeRoles('ada', { add: ['champion', 'lead-builder'] });
    await actors.changeRoles('ada', { remove: ['buyer'] });
    expect((await actors.get('ada')).roles).toEqual(['champion', 'lead-builder']);
    expect((await actors.authenticate(token.token))?.roles).toEqual(['champion', 'lead-builder']);
    await actors.setRoles('ada', ['developer']);
    expect((await actors.authenticate(token.token))?.roles).toEqual(['developer']);
  });

  it('keeps both of two role changes made at the same time', async () => {
    await actors.add({ name: 'ada' });
    const other = ActorDirectory.of(await t.reopen());
    await Promise.all([actors.changeRoles('ada', { add: ['buyer'] }), other.changeRoles('ada', { add: ['champion'] })]);
    expect((await actors.get('ada')).roles.sort()).toEqual(['buyer', 'champion']);
  });

  it('lists actors by name with their tokens and never a secret, salt or hash', async () => {
    await actors.add({ name: 'zoe', kind: 'service', scope: 'read' });
    const { token } = await actors.add({ name: 'ada', scope: 'admin' });
    const listed = await actors.list();
    expect(listed.map((a) => [a.name, a.kind, a.scope])).toEqual([
      ['ada', 'person', 'admin'],
      ['zoe', 'service', 'read'],
    ]);
    expect(listed[0]?.tokens).toEqual([{ id: token.id, label: null, created_at: token.created_at, revoked_at: null }]);
    expect(JSON.stringify(listed)).not.toMatch(/salt|hash|baton_/);
  });
});
