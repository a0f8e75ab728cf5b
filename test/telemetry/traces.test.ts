// Spans of real runs, exported over OTLP/HTTP (JSON) to an in-process receiver: one season, a retried agent, a failed one.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { trace } from '@opentelemetry/api';
import type { Engine } from '../../src/engine/index.js';
import type { BatonStore } from '../../src/store/index.js';
import { createTelemetry, instrumentStore, tracesUrlFrom, watchEngine, type Telemetry } from '../../src/telemetry/index.js';
import { storeKinds, type TestStore } from '../support/stores.js';
import { driveToEnd, loadSmallChain, season, SEASON_PLANNING, seasonEngine } from '../workflows/season-planning/support.js';
import { approvalFlow, flaky, flakyFlow, startOtlpReceiver, steady, type OtlpReceiver, type ReceivedSpan } from './support.js';

const byName = (spans: ReceivedSpan[], name: string) => spans.filter((span) => span.name === name);
const childrenOf = (spans: ReceivedSpan[], parent: ReceivedSpan) => spans.filter((span) => span.parentSpanId === parent.spanId);

describe('tracesUrlFrom', () => {
  it('is off unless an OTLP endpoint is named, and appends /v1/traces to the base endpoint only', () => {
    expect(tracesUrlFrom({})).toBeNull();
    expect(tracesUrlFrom({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' })).toBe('http://collector:4318/v1/traces');
    expect(tracesUrlFrom({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://a:4318', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://b:4318/custom' })).toBe(
      'http://b:4318/custom',
    );
    expect(tracesUrlFrom({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://a:4318', OTEL_SDK_DISABLED: 'true' })).toBeNull();
    expect(tracesUrlFrom({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://a:4318', OTEL_TRACES_EXPORTER: 'none' })).toBeNull();
  });

  it('leaves the tracer a no-op one when no endpoint is set: spans record nothing', async () => {
    const telemetry = await createTelemetry({ env: {}, processMetrics: false });
    expect(telemetry.tracing).toBe(false);
    const span = telemetry.tracer.startSpan('anything');
    expect(span.isRecording()).toBe(false);
    expect(trace.getTracerProvider().getTracer('x').startSpan('y').isRecording()).toBe(false);
  });
});

// Traces are made from the event log, which both databases write alike: one database is enough here (the metrics run on both).
const [sqlite] = storeKinds;

describe('run traces over OTLP', () => {
  let t: TestStore;
  let store: BatonStore;
  let engine: Engine;
  let receiver: OtlpReceiver;
  let telemetry: Telemetry;
  const errors: unknown[] = [];

  beforeEach(async () => {
    errors.length = 0;
    receiver = await startOtlpReceiver();
    telemetry = await createTelemetry({
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint, OTEL_SERVICE_NAME: 'baton-under-test' },
      processMetrics: false,
      batch: { scheduledDelayMillis: 20 },
    });
    t = await sqlite!.create();
    store = instrumentStore(t.store, telemetry);
    engine = seasonEngine(store, errors);
    engine.registerAgent(steady()).registerAgent(flaky()).registerWorkflow(flakyFlow).registerWorkflow(approvalFlow);
    watchEngine(engine, telemetry, { onError: (error) => errors.push(error) });
    await engine.start();
  });

  afterEach(async () => {
    await engine.close();
    await telemetry.shutdown();
    await receiver.close();
    await t.dispose();
    expect(errors).toEqual([]);
  });

  it('exports one season as a run span with a step per agent phase, an agent call per step and the buy approval, timed by the event log', async () => {
    expect(telemetry.tracesUrl).toBe(`${receiver.endpoint}/v1/traces`);
    await loadSmallChain(store);
    const started = await engine.startRun(SEASON_PLANNING, season(4));
    const done = await driveToEnd(engine, started.id);
    expect(done.state).toBe('completed');
    await telemetry.flush();

    expect(receiver.contentTypes.every((type) => type.startsWith('application/json'))).toBe(true);
    const spans = receiver.spans.filter((span) => span.attributes['baton.run.id'] === started.id);
    expect(spans.every((span) => span.service === 'baton-under-test')).toBe(true);
    const [run, ...others] = byName(spans, `run ${SEASON_PLANNING}`);
    expect(others).toEqual([]);
    expect(run!.parentSpanId).toBeUndefined();
    expect(run!.attributes).toMatchObject({ 'baton.workflow': SEASON_PLANNING, 'baton.run.state': 'completed' });
    expect(spans.every((span) => span.traceId === run!.traceId)).toBe(true);

    // The run's span starts at its first event and ends at its last.
    const events = await engine.readEvents(started.id);
    expect(run!.startMs).toBe(events[0]!.at);
    expect(run!.endMs).toBe(events.at(-1)!.at);

    // One step span per committed agent step, in the same order, each a child of the run with one agent call under it.
    const agentSteps = (await store.listSteps(started.id)).filter((step) => step.kind === 'agent');
    const completes = events.filter((event) => event.type === 'complete');
    expect(completes).toHaveLength(agentSteps.length);
    const steps = spans.filter((span) => span.name.startsWith('step ')).sort((a, b) => a.startMs - b.startMs || a.endMs - b.endMs);
    expect(steps.map((span) => span.attributes['baton.phase'])).toEqual(agentSteps.map((step) => step.phase));
    expect(steps.map((span) => span.attributes['baton.agent'])).toEqual(agentSteps.map((step) => step.agent));
    for (const [i, step] of steps.entries()) {
      expect(step.parentSpanId).toBe(run!.spanId);
      expect(step.attributes['baton.outcome']).toBe('completed');
      expect(step.endMs).toBe(completes[i]!.at);
      expect(step.startMs).toBeGreaterThanOrEqual(run!.startMs);
      const calls = childrenOf(spans, step);
      expect(calls).toHaveLength(1);
      expect(calls[0]!.name).toBe(`agent ${String(step.attributes['baton.agent'])}`);
      expect(calls[0]!.attributes).toMatchObject({ 'baton.attempt': 1, 'baton.outcome': 'succeeded', 'baton.phase': step.attributes['baton.phase'] });
      expect(calls[0]!.startMs).toBeGreaterThanOrEqual(step.startMs);
      expect(calls[0]!.endMs).toBeLessThanOrEqual(step.endMs);
    }
    // The first step starts when the run was created; a later one when the commit before it brought the run to its phase.
    expect(steps[0]!.startMs).toBe(events[0]!.at);
    expect(steps.every((step) => events.some((event) => event.at === step.startMs))).toBe(true);
    expect(steps.map((span) => span.attributes['baton.phase'])).toEqual(expect.arrayContaining(['demand', 'allocation', 'monitor', 'season_close']));

    // The buy approval: from its approval_required to its approval_resolved, accepted.
    const [approval, ...moreApprovals] = byName(spans, 'approval manufacturing_approval');
    expect(moreApprovals).toEqual([]);
    expect(approval!.parentSpanId).toBe(run!.spanId);
    expect(approval!.attributes).toMatchObject({ 'baton.wait.kind': 'approval', 'baton.outcome': 'accept' });
    const required = events.find((event) => event.type === 'approval_required')!;
    const resolved = events.find((event) => event.type === 'approval_resolved')!;
    expect([approval!.startMs, approval!.endMs]).toEqual([required.at, resolved.at]);
    // The buy approval is the only wait of this season: no step span covers it.
    expect(steps.every((step) => step.endMs <= approval!.startMs || step.startMs >= approval!.endMs)).toBe(true);
    // Skipped phases are events on the run span.
    expect(run!.events.map((event) => event.name)).toContain('phase_skipped');
  });

  it('gives each attempt of a retried agent its own span under one step: the failures with their error, then the success', async () => {
    const started = await engine.startRun(flakyFlow.name, { key: 'retried', failures: 2 });
    expect((await engine.settled(started.id)).state).toBe('completed');
    await telemetry.flush();

    const spans = receiver.spans.filter((span) => span.attributes['baton.run.id'] === started.id);
    const [work] = byName(spans, 'step work');
    const attempts = childrenOf(spans, work!).sort((a, b) => Number(a.attributes['baton.attempt']) - Number(b.attributes['baton.attempt']));
    expect(attempts.map((span) => [span.name, span.attributes['baton.attempt'], span.attributes['baton.outcome']])).toEqual([
      ['agent flaky', 1, 'retrying'],
      ['agent flaky', 2, 'retrying'],
      ['agent flaky', 3, 'succeeded'],
    ]);
    expect(attempts.slice(0, 2).map((span) => [span.status.code, span.status.message, span.attributes['baton.error_type']])).toEqual([
      [2, 'refused call 1', 'AGENT_EXECUTION_ERROR'],
      [2, 'refused call 2', 'AGENT_EXECUTION_ERROR'],
    ]);
    // Attempts follow one another: each starts no earlier than the one before ended.
    expect(attempts[1]!.startMs).toBeGreaterThanOrEqual(attempts[0]!.endMs);
    expect(attempts[2]!.startMs).toBeGreaterThanOrEqual(attempts[1]!.endMs);
    // The failed attempts the store recorded are the ones the spans show.
    const failed = (await store.listAttempts(started.id)).filter((attempt) => attempt.status !== 'succeeded');
    expect(failed.map((attempt) => attempt.attempt)).toEqual([1, 2]);
    expect(work!.attributes['baton.outcome']).toBe('completed');
  });

  it('marks a run whose agent gives up as failed, on the attempt, the step and the run', async () => {
    const started = await engine.startRun(flakyFlow.name, { key: 'final', failures: 1, final: true });
    expect((await engine.settled(started.id)).state).toBe('failed');
    await telemetry.flush();

    const spans = receiver.spans.filter((span) => span.attributes['baton.run.id'] === started.id);
    const [run] = byName(spans, 'run flaky_flow');
    const [work] = byName(spans, 'step work');
    const [call] = childrenOf(spans, work!);
    expect(call!.attributes).toMatchObject({ 'baton.attempt': 1, 'baton.outcome': 'failed', 'baton.error_type': 'AGENT_EXECUTION_ERROR' });
    expect([call!.status.code, work!.status.code, run!.status.code]).toEqual([2, 2, 2]);
    expect(work!.attributes['baton.outcome']).toBe('failed');
    expect(run!.attributes['baton.run.state']).toBe('failed');
    expect(run!.status.message).toBe('refused call 1');
  });

  it('starts a new run span, named once the run is looked up, when a run this process had finished is retried', async () => {
    const started = await engine.startRun(flakyFlow.name, { key: 'retry-me', failures: 1, final: true });
    expect((await engine.settled(started.id)).state).toBe('failed');
    await engine.retryRun(started.id);
    expect((await engine.settled(started.id)).state).toBe('completed');
    await telemetry.flush();

    const runs = byName(receiver.spans, 'run flaky_flow').filter((span) => span.attributes['baton.run.id'] === started.id);
    expect(runs.map((span) => [span.attributes['baton.run.state'], span.attributes['baton.run.resumed'] ?? false])).toEqual([
      ['failed', false],
      ['completed', true],
    ]);
    expect(runs[1]!.attributes['baton.workflow']).toBe('flaky_flow');
    const [work] = childrenOf(receiver.spans, runs[1]!).filter((span) => span.name === 'step work');
    expect(childrenOf(receiver.spans, work!).map((span) => span.attributes['baton.outcome'])).toEqual(['succeeded']);
  });

  it('ends an open approval with the run when the run is cancelled while it waits', async () => {
    const started = await engine.startRun(approvalFlow.name, {});
    expect((await engine.settled(started.id)).state).toBe('waiting');
    await engine.cancelRun(started.id);
    await telemetry.flush();

    const spans = receiver.spans.filter((span) => span.attributes['baton.run.id'] === started.id);
    const [approval] = byName(spans, 'approval approve');
    const [run] = byName(spans, 'run approval_flow');
    expect(approval!.attributes['baton.outcome']).toBe('cancelled');
    expect(approval!.endMs).toBe(run!.endMs);
    expect(run!.attributes['baton.run.state']).toBe('cancelled');
  });

  it('lets go of the least recently active run beyond maxRuns, ending its spans as abandoned', async () => {
    const bounded = await createTelemetry({
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint, OTEL_SERVICE_NAME: 'bounded' },
      processMetrics: false,
      batch: { scheduledDelayMillis: 20 },
    });
    const watching = watchEngine(engine, bounded, { maxRuns: 1 });
    try {
      const first = await engine.startRun(approvalFlow.name, {});
      expect((await engine.settled(first.id)).state).toBe('waiting');
      const second = await engine.startRun(approvalFlow.name, {});
      expect((await engine.settled(second.id)).state).toBe('waiting');
      await bounded.flush();
      const ended = receiver.spans.filter((span) => span.service === 'bounded' && span.name === 'run approval_flow');
      expect(ended.map((span) => [span.attributes['baton.run.id'], span.attributes['baton.run.state']])).toEqual([[first.id, 'abandoned']]);
      expect(
        receiver.spans.some((span) => span.service === 'bounded' && span.name === 'approval approve' && span.attributes['baton.outcome'] === 'abandoned'),
      ).toBe(true);
    } finally {
      watching.unsubscribe();
      await bounded.shutdown();
    }
  });
});
