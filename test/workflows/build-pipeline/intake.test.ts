// Intake over real HTTP on both databases: ideas added, listed and read; a build is started only on request, refused
// with the score and the threshold at 85 or less, and a started build runs intake and architecture to the specification.
import { expect, it } from 'vitest';
import { z } from 'zod';
import { ArchitectureDecision, BuildView, Idea } from '../../../src/workflows/build-pipeline/contracts.js';
import { addIdeaCommand } from '../../../src/workflows/build-pipeline/idea-command.js';
import { BUILD_PIPELINE } from '../../../src/workflows/build-pipeline/workflow.js';
import { describeEachStore } from '../../support/stores.js';
import { IDEA, stepsUpTo, useBuildServers, type BuildApi } from './support.js';

interface ErrorReply {
  error_type: string;
  message: string;
  details: Record<string, unknown>;
  suggestions: string[];
}

async function addIdea(api: BuildApi, changes: Partial<typeof IDEA> = {}): Promise<Idea> {
  const reply = await api.post<Idea>('/api/builds/ideas', { ...IDEA, ...changes });
  expect(reply.status, JSON.stringify(reply.body)).toBe(201);
  return Idea.parse(reply.body);
}

describeEachStore('build pipeline intake', (kind) => {
  const servers = useBuildServers(kind);

  it('stores an idea, lists it newest first and reads it back with no builds until one is asked for', async () => {
    const api = await servers.serve();
    const first = await addIdea(api, { title: 'First' });
    // A later millisecond, so "newest first" has one answer.
    await new Promise((resolve) => setTimeout(resolve, 5));
    const second = await addIdea(api, { title: 'Second', viability_score: 40 });
    expect(first).toMatchObject({ ...IDEA, title: 'First', created_by: 'local' });

    const list = await api.get<{ ideas: Idea[]; total: number }>('/api/builds/ideas?limit=10');
    expect(list.status).toBe(200);
    expect(list.body.total).toBe(2);
    expect(list.body.ideas.map((i) => i.id)).toEqual([second.id, first.id]);

    const read = await api.get<Idea & { builds: unknown[] }>(`/api/builds/ideas/${first.id}`);
    expect(read.status).toBe(200);
    expect(read.body).toEqual({ ...first, builds: [] });
    // Adding an idea starts nothing: building is on request.
    expect((await api.engine.listRuns({ workflow: BUILD_PIPELINE })).total).toBe(0);
  });

  it('refuses an idea with a score outside 0–100 or fields missing, naming the fields', async () => {
    const api = await servers.serve();
    const bad = await api.post<ErrorReply>('/api/builds/ideas', { ...IDEA, viability_score: 140 });
    expect(bad.status).toBe(422);
    expect(bad.body.error_type).toBe('INVALID_PARAMETERS');
    expect(JSON.stringify(bad.body.details)).toContain('viability_score');
    const missing = await api.post<ErrorReply>('/api/builds/ideas', { title: 'Only a title' });
    expect(missing.status).toBe(400);
    expect(missing.body.error_type).toBe('INCOMPLETE_INPUT');
    const unknown = await api.get<ErrorReply>('/api/builds/ideas/idea-none');
    expect(unknown.status).toBe(404);
    expect(unknown.body.error_type).toBe('NOT_FOUND');
    // A misspelled field is refused, not dropped (its idea would have been stored without the research).
    const misspelled = await api.post<ErrorReply>('/api/builds/ideas', { ...IDEA, research_finding: ['buyers ask for it'] });
    expect(misspelled.status).toBe(422);
    expect(JSON.stringify(misspelled.body.details)).toContain('body.research_finding');
    expect((await api.get<{ total: number }>('/api/builds/ideas')).body.total).toBe(0);
  });

  it('refuses to build an idea scoring 85 or less with 422 naming the score and the threshold, and starts nothing', async () => {
    const api = await servers.serve();
    for (const score of [85, 60]) {
      const idea = await addIdea(api, { viability_score: score });
      const reply = await api.post<ErrorReply>(`/api/builds/ideas/${idea.id}/build`);
      expect(reply.status).toBe(422);
      expect(reply.body.error_type).toBe('INVALID_PARAMETERS');
      expect(reply.body.message).toBe(`idea "${idea.id}" cannot be built: its viability score ${score} is not above the threshold of 85`);
      expect(reply.body.details).toMatchObject({ idea_id: idea.id, viability_score: score, threshold: 85 });
    }
    expect((await api.engine.listRuns({ workflow: BUILD_PIPELINE })).total).toBe(0);
    const unknown = await api.post<ErrorReply>('/api/builds/ideas/idea-none/build', {});
    expect(unknown.status).toBe(404);
    // A misspelled knob is refused before anything starts: "enviroments" would have deployed to prod too.
    const buildable = await addIdea(api, { viability_score: 95 });
    const misspelled = await api.post<ErrorReply>(`/api/builds/ideas/${buildable.id}/build`, { enviroments: ['dev'] });
    expect(misspelled.status).toBe(422);
    expect(JSON.stringify(misspelled.body.details)).toContain('body.enviroments');
    expect((await api.engine.listRuns({ workflow: BUILD_PIPELINE })).total).toBe(0);
  });

  it('starts a build of an idea above 85 on request, whose architecture phase records the specification in its step output', async () => {
    const api = await servers.serve();
    const idea = await addIdea(api, { viability_score: 85.5 });
    const reply = await api.post<BuildView>(`/api/builds/ideas/${idea.id}/build`, { idempotency_key: 'first-build' });
    expect(reply.status, JSON.stringify(reply.body)).toBe(202);
    const build = BuildView.parse(reply.body);
    expect(build.idea_id).toBe(idea.id);
    // The same key answers with the same build.
    const again = await api.post<BuildView>(`/api/builds/ideas/${idea.id}/build`, { idempotency_key: 'first-build' });
    expect(again.body.run_id).toBe(build.run_id);

    // The later stages generate, test and deploy a real app (test/workflows/build-pipeline/build.test.ts): stopped once the architecture is in.
    const steps = await stepsUpTo(api, build.run_id, 'architecture');
    expect(steps.map((s) => s.phase).slice(0, 2)).toEqual(['intake', 'architecture']);
    const decision = ArchitectureDecision.parse(steps[1]?.output);
    expect(decision).toMatchObject({ decided_by: 'rules', spec: { stack: 'node-typescript', template: 'web-app-sql', auth_pattern: 'api-key' } });
    expect(decision.spec.skus.prod).toContainEqual({ service: 'app-service-plan', sku: 'P1v2', tier: 'PremiumV2', instances: 2 });
    expect(decision.spec.entities[0]).toEqual({
      name: 'Expense',
      fields: [
        { name: 'amount', type: 'number', required: true },
        { name: 'category', type: 'string', required: true },
        { name: 'spent_on_date', type: 'datetime', required: true },
      ],
    });

    // Over HTTP too: the architecture phase's `complete` event carries the specification, and the idea lists its build.
    const events = await api.get<{ events: { type: string; phase?: string; result?: unknown }[] }>(`/api/runs/${build.run_id}/events`);
    const completed = events.body.events.find((e) => e.type === 'complete' && e.phase === 'architecture');
    expect(ArchitectureDecision.parse(completed?.result)).toEqual(decision);
    const read = await api.get<{ builds: BuildView[] }>(`/api/builds/ideas/${idea.id}`);
    expect(read.body.builds).toEqual([expect.objectContaining({ run_id: build.run_id })]);
    expect(api.errors).toEqual([]);
  });

  it('rejects at intake a build of a low-scoring idea started another way than the build route, with the reason', async () => {
    const api = await servers.serve();
    const idea = await addIdea(api, { viability_score: 70 });
    const run = await api.engine.startRun(BUILD_PIPELINE, { idea_id: idea.id });
    const settled = await api.engine.settled(run.id);
    expect(settled.state).toBe('rejected');
    expect((await api.engine.steps(run.id)).map((s) => s.phase)).toEqual(['intake']);
    const events = await api.engine.readEvents(run.id);
    const ended = events.find((e) => e.type === 'run_state' && (e.payload as { to?: string }).to === 'rejected');
    expect((ended?.payload as { reason?: string }).reason).toBe('viability score 70 is not above the threshold of 85');
  });

  it('adds an idea from the command line options and says whether it may be built', async () => {
    const api = await servers.serve();
    const lines: string[] = [];
    const idea = await addIdeaCommand(
      api.data,
      { title: 'Nightly report', description: 'Sends a report every night', requirement: ['runs nightly'], finding: [], score: '92', champion: 'sam' },
      (line) => lines.push(line),
    );
    expect(idea).toMatchObject({ viability_score: 92, requirements: ['runs nightly'], created_by: null });
    expect(lines).toEqual([`idea ${idea.id} "Nightly report" added; it can be built: POST /api/builds/ideas/${idea.id}/build`]);
    await addIdeaCommand(api.data, { title: 'Low', description: 'd', score: '50', champion: 'sam' }, (line) => lines.push(line));
    expect(lines[1]).toMatch(/will not be built: its viability score 50 is not above the threshold of 85$/);
    await expect(addIdeaCommand(api.data, { title: 'x', description: 'd', score: 'high', champion: 'sam' }, () => {})).rejects.toMatchObject({
      code: 'INVALID_PARAMETERS',
      message: expect.stringContaining('score must be a number from 0 to 100') as unknown,
    });
    expect((await api.get<{ total: number }>('/api/builds/ideas')).body.total).toBe(2);
  });
});

// The shapes the dashboard will import stay zod schemas that parse their own examples.
it('the contracts parse an idea as the routes answer it', () => {
  expect(z.array(Idea).safeParse([{ ...IDEA, id: 'i', created_by: null, created_at: new Date(0).toISOString() }]).success).toBe(true);
});
