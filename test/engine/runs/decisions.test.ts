// Who decides: a wait's role held by the actor, quorums of distinct actors (roles matched), the starter and the submitter refused, and every decision naming its actor in the log and the audit.
import { expect, it } from 'vitest';
import { z } from 'zod';
import { LOCAL_ACTOR, refOf, type Actor } from '../../../src/actors/contracts.js';
import { Decision } from '../../../src/engine/contracts.js';
import { defineWorkflow, type Engine } from '../../../src/engine/index.js';
import { describeEachStore } from '../../support/stores.js';
import type { BatonError } from '../../../src/errors/index.js';
import { agent, echo, ofType, rejectionOf, useHarness } from './harness.js';

const person = (id: string, roles: string[]): Actor => ({ id, name: id, token_id: `token-${id}`, kind: 'person', scope: 'write', roles, any_role: false });

const sam = person('sam', ['developer', 'lead-builder']);
const dave = person('dave', ['developer']);
const carol = person('carol', ['tester']);
const erin = person('erin', ['reviewer']);
const lead = person('lena', ['lead-builder']);
const champ = person('chad', ['champion']);
const both = person('bea', ['lead-builder', 'champion']);

describeEachStore('engine runs: who decides', (kind) => {
  const h = useHarness(kind);
  let clock = 1_000_000;

  const setup = (options: { store?: Parameters<typeof h.engine>[0] } = {}): Engine => {
    let failures = 1;
    const flaky = agent('flaky', () => {
      if (failures-- > 0) throw new Error('the build broke once');
      return { built: true };
    });
    const review = defineWorkflow({
      name: 'review',
      parameters: z.object({}),
      phases: [
        { name: 'work', agent: 'work' },
        { name: 'submit', wait: { kind: 'submission', role: 'developer' } },
        { name: 'approve', wait: { kind: 'approval', policy: { not_starter: true, not_submitter_of: ['submit'] } } },
        { name: 'finish', agent: 'finish' },
      ],
    });
    const deploy = defineWorkflow({
      name: 'deploy',
      parameters: z.object({ target: z.string() }),
      phases: [
        { name: 'build', agent: 'work' },
        // Decided from the run when the wait opens: production needs a Lead Builder and a Champion.
        {
          name: 'approve',
          wait: { kind: 'approval', policy: ({ parameters }) => (parameters.target === 'production' ? { quorum: ['lead-builder', 'champion'] } : {}) },
        },
        { name: 'ship', agent: 'finish' },
      ],
    });
    const retried = defineWorkflow({ name: 'retried', parameters: z.object({}), phases: [{ name: 'build', agent: 'flaky' }] });
    return h.engine({ agents: [echo('work'), echo('finish'), flaky], workflows: [review, deploy, retried], now: () => clock++, ...options.store });
  };

  const waiting = async (engine: Engine, workflow: string, parameters: unknown, actor?: Actor) => {
    const { id } = await engine.startRun(workflow, parameters, actor ? { actor } : {});
    const status = await engine.settled(id);
    return { id, waitId: status.waitingFor!.id, status };
  };

  it("refuses an actor without the wait's role with 403 naming the role, and records who submitted", async () => {
    const engine = setup();
    const { id, waitId } = await waiting(engine, 'review', {}, sam);
    const refused = await rejectionOf(engine.resolveWait(id, waitId, {}, { actor: carol }));
    expect(refused).toMatchObject({ code: 'FORBIDDEN', httpStatus: 403, details: { required_role: 'developer', actor: 'carol' } });
    expect((refused as Error).message).toMatch(/developer/);
    // A declared role must be the wait's, even from someone who holds the wait's role.
    await expect(engine.resolveWait(id, waitId, { role: 'tester' }, { actor: dave })).rejects.toMatchObject({
      code: 'FORBIDDEN',
      details: { required_role: 'developer', role: 'tester' },
    });
    const moved = await engine.resolveWait(id, waitId, { data: { patch: 1 } }, { actor: dave });
    expect(moved.state).not.toBe('rejected');
    const [resolved] = ofType(await engine.readEvents(id), 'wait_resolved');
    expect(resolved).toMatchObject({ resolution: { action: 'submit', role: 'developer', by: refOf(dave) } });
    expect((await engine.waits(id))[0]?.resolution).toMatchObject({ by: refOf(dave) });
  });

  it('lets an actor holding every role (the local mode) resolve a role-bound wait by declaring the role, as before actors', async () => {
    const engine = setup();
    const { id, waitId } = await waiting(engine, 'review', {});
    await expect(engine.resolveWait(id, waitId, {}, { actor: LOCAL_ACTOR })).rejects.toMatchObject({
      code: 'FORBIDDEN',
      details: { required_role: 'developer' },
    });
    await engine.resolveWait(id, waitId, { role: 'developer' }, { actor: LOCAL_ACTOR });
    expect((await engine.settled(id)).phase).toBe('approve');
  });

  it("refuses the run's starter (not_starter) and the phase's submitter (not_submitter_of) with 403, and takes a third person's approval", async () => {
    const engine = setup();
    const { id, waitId } = await waiting(engine, 'review', {}, sam);
    await engine.resolveWait(id, waitId, {}, { actor: dave });
    const approval = (await engine.settled(id)).waitingFor!;
    expect(approval).toMatchObject({ phase: 'approve', policy: { not_starter: true, not_submitter_of: ['submit'] }, votes: [] });
    await expect(engine.resolveWait(id, approval.id, { action: 'accept' }, { actor: sam })).rejects.toMatchObject({
      code: 'FORBIDDEN',
      details: { rule: 'not_starter', actor: 'sam' },
    });
    await expect(engine.resolveWait(id, approval.id, { action: 'accept' }, { actor: dave })).rejects.toMatchObject({
      code: 'FORBIDDEN',
      details: { rule: 'not_submitter_of', phase: 'submit', actor: 'dave' },
    });
    await engine.resolveWait(id, approval.id, { action: 'accept', comment: 'fine' }, { actor: erin });
    expect(await engine.settled(id)).toMatchObject({ state: 'completed', startedBy: refOf(sam) });
    expect(ofType(await engine.readEvents(id), 'approval_resolved')).toEqual([
      { approval_id: approval.id, kind: 'approval', resolution: { action: 'accept', comment: 'fine', by: refOf(erin) } },
    ]);
  });

  it('resolves a quorum of lead-builder and champion with two different actors, each vote an approval_vote event', async () => {
    const engine = setup();
    const { id, waitId, status } = await waiting(engine, 'deploy', { target: 'production' }, sam);
    expect(status.waitingFor).toMatchObject({ policy: { quorum: ['lead-builder', 'champion'] } });
    const [required] = ofType(await engine.readEvents(id), 'approval_required');
    expect(required).toMatchObject({ policy: { quorum: ['lead-builder', 'champion'] } });

    // A vote keeps what its approver said, in the wait, its event and the decisions.
    const half = await engine.resolveWait(id, waitId, { action: 'accept', comment: 'tests are green' }, { actor: lead });
    expect(half).toMatchObject({
      state: 'waiting',
      waitingFor: { id: waitId, votes: [{ actor: refOf(lead), role: 'lead-builder', comment: 'tests are green' }] },
    });
    expect(ofType(await engine.readEvents(id), 'approval_vote')).toEqual([
      {
        approval_id: waitId,
        kind: 'approval',
        phase: 'approve',
        actor: refOf(lead),
        role: 'lead-builder',
        remaining: ['champion'],
        comment: 'tests are green',
      },
    ]);
    expect((await engine.decisions()).filter((d) => d.run_id === id)).toContainEqual(
      expect.objectContaining({ action: 'accept', role: 'lead-builder', reason: 'tests are green' }),
    );
    await engine.resolveWait(id, waitId, { action: 'accept', comment: 'ship it' }, { actor: champ });
    expect((await engine.settled(id)).state).toBe('completed');
    const [resolved] = ofType(await engine.readEvents(id), 'approval_resolved');
    expect(resolved).toMatchObject({
      resolution: {
        action: 'accept',
        comment: 'ship it',
        by: refOf(champ),
        votes: [
          { actor: refOf(lead), role: 'lead-builder' },
          { actor: refOf(champ), role: 'champion' },
        ],
      },
    });
  });

  it('answers the same actor approving twice with 409 saying a different actor is needed, and an actor without a needed role with 403 naming the roles', async () => {
    const engine = setup();
    const { id, waitId } = await waiting(engine, 'deploy', { target: 'production' });
    await engine.resolveWait(id, waitId, { action: 'accept' }, { actor: lead });
    const twice = await rejectionOf(engine.resolveWait(id, waitId, { action: 'accept' }, { actor: lead }));
    expect(twice).toMatchObject({ code: 'CONFLICT', httpStatus: 409, details: { actor: refOf(lead), roles_needed: ['champion'] } });
    expect((twice as Error).message).toMatch(/a different actor is needed/);
    // Another Lead Builder: the role is filled, only a champion is still needed.
    const another = await rejectionOf(engine.resolveWait(id, waitId, { action: 'accept' }, { actor: sam }));
    expect(another).toMatchObject({ code: 'FORBIDDEN', details: { required_roles: ['champion'], required_role: 'champion' } });
    expect((another as Error).message).toMatch(/champion/);
    // It says how to get past it: another person, or the role granted.
    expect((another as BatonError).suggestions).toEqual([
      'ask someone holding champion',
      `or have an admin grant it: baton actors roles ${sam.name} --add champion`,
    ]);
    expect((await engine.status(id)).waitingFor?.votes).toHaveLength(1);
  });

  it('says which role an approver sent when it is the wrong one, and which of its roles to send instead', async () => {
    const engine = setup();
    const { id, waitId } = await waiting(engine, 'deploy', { target: 'production' });
    // A champion who sends another role she does not need to send: told so, not that she lacks champion.
    const unneeded = await rejectionOf(engine.resolveWait(id, waitId, { action: 'accept', role: 'developer' }, { actor: champ }));
    expect(unneeded).toMatchObject({ code: 'FORBIDDEN', details: { role: 'developer', required_roles: ['lead-builder', 'champion'] } });
    expect((unneeded as Error).message).toBe(
      'the approval of phase "approve" still needs lead-builder and champion; chad sent the role developer, which it does not need',
    );
    expect((unneeded as BatonError).suggestions).toEqual(['send role "champion" (chad holds it), or leave role out']);
    // A needed role she does not hold, sent by mistake: named as hers to drop.
    const notHers = await rejectionOf(engine.resolveWait(id, waitId, { action: 'accept', role: 'lead-builder' }, { actor: champ }));
    expect((notHers as Error).message).toBe('the approval of phase "approve" still needs lead-builder and champion; chad does not hold lead-builder');
    expect((notHers as BatonError).suggestions).toEqual(['send role "champion" (chad holds it), or leave role out']);
    // Sent as her own role, the vote counts.
    await engine.resolveWait(id, waitId, { action: 'accept', role: 'champion' }, { actor: champ });
    expect((await engine.status(id)).waitingFor?.votes.map((v) => v.role)).toEqual(['champion']);
  });

  it('completes when an actor holding both roles approves first and one holding a single role follows (the roles are matched, not taken greedily)', async () => {
    const engine = setup();
    const { id, waitId } = await waiting(engine, 'deploy', { target: 'production' });
    await engine.resolveWait(id, waitId, { action: 'accept' }, { actor: both });
    // bea could fill either role; lena only lead-builder: bea's vote moves to champion.
    await engine.resolveWait(id, waitId, { action: 'accept' }, { actor: lead });
    expect((await engine.settled(id)).state).toBe('completed');
    const [resolved] = ofType(await engine.readEvents(id), 'approval_resolved');
    expect((resolved?.resolution as { votes: unknown[] }).votes).toMatchObject([
      { actor: refOf(both), role: 'champion' },
      { actor: refOf(lead), role: 'lead-builder' },
    ]);
  });

  it('ends the run at once on a reject from an actor holding a needed role, and refuses modify for a quorum of several (422)', async () => {
    const engine = setup();
    const { id, waitId } = await waiting(engine, 'deploy', { target: 'production' });
    await expect(engine.resolveWait(id, waitId, { action: 'modify', data: { x: 1 } }, { actor: lead })).rejects.toMatchObject({
      code: 'INVALID_PARAMETERS',
      httpStatus: 422,
    });
    await expect(engine.resolveWait(id, waitId, { action: 'reject' }, { actor: carol })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await engine.resolveWait(id, waitId, { action: 'accept' }, { actor: lead });
    const rejected = await engine.resolveWait(id, waitId, { action: 'reject', comment: 'not this week' }, { actor: champ });
    expect(rejected.state).toBe('rejected');
    const [resolved] = ofType(await engine.readEvents(id), 'approval_resolved');
    expect(resolved).toMatchObject({
      resolution: { action: 'reject', by: refOf(champ), role: 'champion', votes: [{ actor: refOf(lead), role: 'lead-builder' }] },
    });
    // The decisions say which role rejected, as they say which role approved.
    expect((await engine.decisions()).filter((d) => d.run_id === id)).toContainEqual(
      expect.objectContaining({ action: 'reject', role: 'champion', reason: 'not this week' }),
    );
  });

  it('refuses an actor holding none of the quorum’s roles with 403 before looking at its data (no 422 about a decision it may not make)', async () => {
    const engine = setup();
    const { id, waitId } = await waiting(engine, 'deploy', { target: 'production' });
    const refused = await rejectionOf(engine.resolveWait(id, waitId, { action: 'modify', data: { x: 1 } }, { actor: carol }));
    expect(refused).toMatchObject({ code: 'FORBIDDEN', httpStatus: 403, details: { required_roles: ['lead-builder', 'champion'], actor: 'carol' } });
    // One who holds a role is told what is wrong with the decision itself.
    await expect(engine.resolveWait(id, waitId, { action: 'modify', data: { x: 1 } }, { actor: lead })).rejects.toMatchObject({ httpStatus: 422 });
    expect((await engine.getRun(id)).state).toBe('waiting');
  });

  it('lets a caller that names no actor (code embedding the engine) resolve as before actors, recording no actor and no decision', async () => {
    const engine = setup();
    const { id, waitId } = await waiting(engine, 'deploy', { target: 'production' });
    await engine.resolveWait(id, waitId, { action: 'accept' });
    expect((await engine.settled(id)).state).toBe('completed');
    expect(ofType(await engine.readEvents(id), 'approval_resolved')).toEqual([{ approval_id: waitId, kind: 'approval', resolution: { action: 'accept' } }]);
    expect(await engine.decisions()).toEqual([]);
  });

  it('asks no quorum when the policy decided from the run names none', async () => {
    const engine = setup();
    const { id, waitId, status } = await waiting(engine, 'deploy', { target: 'staging' });
    expect(status.waitingFor?.policy).toEqual({});
    await engine.resolveWait(id, waitId, { action: 'accept' }, { actor: carol });
    expect((await engine.settled(id)).state).toBe('completed');
  });

  it('keeps the votes across an engine restart: a new engine on the same store completes the quorum', async () => {
    const first = setup();
    const { id, waitId } = await waiting(first, 'deploy', { target: 'production' });
    await first.resolveWait(id, waitId, { action: 'accept' }, { actor: lead });
    await h.close(first);
    const second = setup();
    await expect(second.resolveWait(id, waitId, { action: 'accept' }, { actor: lead })).rejects.toMatchObject({ code: 'CONFLICT' });
    await second.resolveWait(id, waitId, { action: 'accept' }, { actor: champ });
    expect((await second.settled(id)).state).toBe('completed');
  });

  it('counts two votes given at the same moment: both are recorded and the quorum resolves', async () => {
    const engine = setup();
    const other = setup();
    const { id, waitId } = await waiting(engine, 'deploy', { target: 'production' });
    const answers = await Promise.allSettled([
      engine.resolveWait(id, waitId, { action: 'accept' }, { actor: lead }),
      other.resolveWait(id, waitId, { action: 'accept' }, { actor: champ }),
    ]);
    expect(answers.map((a) => a.status)).toEqual(['fulfilled', 'fulfilled']);
    // Whichever engine resolved it drives the run on (on SQLite the other does not hear of its events).
    const done = await Promise.any([engine, other].map((e) => e.settled(id, ['completed'], { timeoutMs: 10_000 })));
    expect(done.state).toBe('completed');
    const log = await engine.readEvents(id);
    expect(ofType(log, 'approval_vote')).toHaveLength(1);
    const [resolved] = ofType(log, 'approval_resolved');
    expect((resolved?.resolution as { votes: { actor: { id: string } }[] }).votes.map((v) => v.actor.id).sort()).toEqual(['chad', 'lena']);
  });

  it('names the actor of a start, cancel, retry and rollback in their events, and lists every decision in the audit by actor and time', async () => {
    const engine = setup();
    const started = clock;
    const { id, waitId } = await waiting(engine, 'review', {}, sam);
    await engine.resolveWait(id, waitId, { comment: 'done' }, { actor: dave });
    await engine.settled(id);
    const afterSubmit = clock;
    await engine.rollbackRun(id, 'submit', 'needs another look', { actor: erin });
    const again = await engine.settled(id);
    await engine.cancelRun(id, 'abandoned', { actor: sam });
    const log = await engine.readEvents(id);
    expect(ofType(log, 'run_created')[0]).toMatchObject({ actor: refOf(sam) });
    expect(ofType(log, 'phase_transition').at(-1)).toMatchObject({ to_phase: 'submit', actor: refOf(erin) });
    expect(ofType(log, 'run_state').at(-1)).toMatchObject({ to: 'cancelled', actor: refOf(sam) });
    expect(again.waitingFor?.phase).toBe('submit');

    const failed = await engine.startRun('retried', {}, { actor: carol });
    await engine.settled(failed.id);
    await engine.retryRun(failed.id, { actor: carol });
    expect((await engine.settled(failed.id)).state).toBe('completed');
    expect(ofType(await engine.readEvents(failed.id), 'run_state').find((e) => e.from === 'failed')).toMatchObject({ to: 'running', actor: refOf(carol) });
    // A run started with no actor records none, and is no decision.
    await engine.startRun('retried', {});

    const all = await engine.decisions();
    for (const decision of all) expect(Decision.parse(decision)).toEqual(decision);
    expect(all.map((d) => [d.workflow, d.actor.id, d.action, d.phase ?? null])).toEqual([
      ['review', 'sam', 'start', null],
      ['review', 'dave', 'submit', 'submit'],
      ['review', 'erin', 'rollback', 'submit'],
      ['review', 'sam', 'cancel', null],
      ['retried', 'carol', 'start', null],
      ['retried', 'carol', 'retry', null],
    ]);
    expect(all[1]).toMatchObject({ run_id: id, type: 'wait_resolved', wait_id: waitId, role: 'developer', reason: 'done' });
    expect(all[2]).toMatchObject({ type: 'phase_transition', reason: 'needs another look' });
    expect(new Date(all[0]!.at).getTime()).toBeGreaterThanOrEqual(started);
    expect((await engine.decisions({ actorId: 'sam' })).map((d) => d.action)).toEqual(['start', 'cancel']);
    expect((await engine.decisions({ since: afterSubmit })).map((d) => d.action)).toEqual(['rollback', 'cancel', 'start', 'retry']);
    expect((await engine.decisions({ actorId: 'carol', since: new Date(afterSubmit), limit: 1 })).map((d) => d.action)).toEqual(['start']);
  });
});
