// The engine's event contracts: every core type has a payload schema, the wire form is discriminated by type, and the run states are the store's.
import { describe, expect, it } from 'vitest';
import { CORE_EVENT_PAYLOADS, CORE_EVENT_TYPES, coreWireEvent, isCoreEventType, MAX_EVENT_SEQ, RUN_STATES } from '../../src/engine/contracts.js';
import { CORE_EVENT_TYPES as ENGINE_EVENT_TYPES, events } from '../../src/engine/events.js';
import * as store from '../../src/store/index.js';

const actor = { id: 'a1', name: 'alice', token_id: 't1' };
const envelope = { run_id: 'r1', seq: 3, timestamp: '2026-01-05T00:00:00.000Z' };

describe('core event contracts', () => {
  it('declares a payload for every event type the engine writes, and no other', () => {
    expect([...CORE_EVENT_TYPES].sort()).toEqual([...ENGINE_EVENT_TYPES].sort());
  });

  it("accepts each of the engine's own event builders' payloads unchanged", () => {
    const written = [
      events.runCreated('w', { a: 1 }, null),
      events.runState('running', 'waiting', 'waits'),
      events.runState('waiting', 'running'),
      events.agentStatus('demand', 'demand', 'retrying', 2),
      events.progress('demand', 40, 'forecasting'),
      events.complete('demand', 'demand', { explanation: 'x' }),
      events.error({ error_type: 'AGENT_TIMEOUT', message: 'slow', details: {}, suggestions: [] }, 'demand'),
      events.phaseSkipped('replenishment', 'none'),
      events.phaseTransition('monitor', 'replenishment', 'within'),
      events.waitRequired('a1', 'approval', 'manufacturing_approval', { q: 1 }, null, null),
      events.waitRequired('w1', 'actuals', 'week_actuals', { week: 1 }, 1_700_000_000_000, 'planner'),
      events.waitResolved('a1', 'approval', { action: 'reject', comment: 'deadline passed', expired: true }),
      events.waitResolved('w1', 'actuals', { action: 'submit', data: { week: 1 } }),
      events.workflowComplete('completed', { done: true }),
      // Decisions name their actor.
      events.runCreated('w', {}, 's1', actor),
      events.runState('failed', 'running', 'retry', actor),
      events.phaseTransition('review', 'draft', 'again', { timeline: 1, abandonedSteps: ['review#1'] }, actor),
      events.waitRequired('a2', 'approval', 'deploy', null, null, null, { quorum: ['lead-builder', 'champion'], not_starter: true }),
      events.approvalVote('a2', 'approval', 'deploy', actor, 'lead-builder', ['champion']),
      events.waitResolved('a2', 'approval', { action: 'accept', by: actor, votes: [{ actor, role: 'lead-builder', at: 1, holds: ['lead-builder'] }] }),
    ];
    for (const event of written) {
      expect(isCoreEventType(event.type)).toBe(true);
      const schema = CORE_EVENT_PAYLOADS[event.type as keyof typeof CORE_EVENT_PAYLOADS];
      expect(schema.parse(event.payload), event.type).toEqual(event.payload);
      expect(coreWireEvent.parse({ type: event.type, ...envelope, ...event.payload }).type).toBe(event.type);
    }
  });

  it("sets the actor's id on decision events for the audit, and on no other", () => {
    expect(events.runCreated('w', {}, null, actor).actorId).toBe('a1');
    expect(events.approvalVote('a2', 'approval', 'deploy', actor, 'champion', []).actorId).toBe('a1');
    expect(events.waitResolved('a2', 'approval', { action: 'reject', by: actor }).actorId).toBe('a1');
    expect(events.runCreated('w', {}, null).actorId).toBeUndefined();
    expect(events.waitResolved('a2', 'approval', { action: 'reject', expired: true }).actorId).toBeUndefined();
    expect(events.progress('demand', 1, 'x').actorId).toBeUndefined();
  });

  it('refuses a core event whose payload does not match its type, and leaves other types to their workflows', () => {
    expect(coreWireEvent.safeParse({ type: 'agent_status', ...envelope, agent_name: 'demand', phase: 'demand', status: 'sleeping', attempt: 1 }).success).toBe(
      false,
    );
    expect(coreWireEvent.safeParse({ type: 'run_state', ...envelope, from: 'running' }).success).toBe(false);
    expect(isCoreEventType('variance_alert')).toBe(false);
    expect(isCoreEventType('toString')).toBe(false);
  });

  it("takes the run states and the event bound from the store's one declaration (the same list, not a copy)", () => {
    expect(RUN_STATES).toBe(store.RUN_STATES);
    expect(MAX_EVENT_SEQ).toBe(store.MAX_EVENT_SEQ);
  });
});
