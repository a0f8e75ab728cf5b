/**
 * A small editorial workflow that shows the engine's moves on one page: handoffs along a chain,
 * a reviewer sending work back, a phase skipped by a parameter, and a person's approval.
 */
import { z } from 'zod';
import { defineAgent, defineWorkflow } from '../../engine/index.js';

export const demoParameters = z.object({
  topic: z.string().min(1),
  /** Languages to translate into; none skips the translation phase. */
  languages: z.array(z.string()).default([]),
});

const draft = z.object({ title: z.string(), body: z.string(), revision: z.number().int() });
const review = z.object({ verdict: z.enum(['approve', 'revise']), notes: z.string() });

export const writer = defineAgent({
  name: 'writer',
  description: 'Writes a draft on the topic, revising it when the reviewer left notes.',
  input: z.object({ topic: z.string(), notes: z.string().optional(), revision: z.number().int() }),
  output: draft,
  run: async ({ input, reportProgress, signal }) => {
    for (const percent of [25, 50, 75]) {
      signal.throwIfAborted();
      reportProgress(percent, `writing section ${percent / 25}`);
      await new Promise((resolve) => setTimeout(resolve, 40));
    }
    const body = input.notes ? `A revised piece on ${input.topic} (addressing: ${input.notes}).` : `A first piece on ${input.topic}.`;
    return { title: `On ${input.topic}`, body, revision: input.revision };
  },
});

export const reviewer = defineAgent({
  name: 'reviewer',
  description: 'Reads the draft; the first revision always goes back with notes.',
  input: draft,
  output: review,
  run: ({ input }) => (input.revision < 2 ? { verdict: 'revise' as const, notes: 'tighten the opening' } : { verdict: 'approve' as const, notes: 'ready' }),
});

export const translator = defineAgent({
  name: 'translator',
  description: 'Translates the approved draft (here: tags it per language).',
  input: z.object({ draft, languages: z.array(z.string()) }),
  output: z.record(z.string(), z.string()),
  run: ({ input }) => Object.fromEntries(input.languages.map((lang) => [lang, `[${lang}] ${input.draft.title}`])),
});

export const publisher = defineAgent({
  name: 'publisher',
  description: 'Publishes the approved draft and returns where it went.',
  input: z.object({ title: z.string() }),
  output: z.object({ url: z.string() }),
  run: ({ input }) => ({ url: `https://example.org/${encodeURIComponent(input.title.toLowerCase().replaceAll(' ', '-'))}` }),
});

export const editorialWorkflow = defineWorkflow({
  name: 'editorial',
  description: 'draft → review (may send back) → editor approval → translate (optional) → publish',
  parameters: demoParameters,
  phases: [
    {
      name: 'draft',
      agent: 'writer',
      input: ({ parameters, results, visits }) => ({
        topic: parameters.topic,
        notes: (results.review as z.infer<typeof review> | undefined)?.notes,
        revision: (visits.draft ?? 0) + 1,
      }),
    },
    {
      name: 'review',
      agent: 'reviewer',
      input: ({ results }) => results.draft,
      transitions: ['draft'],
      next: (_context, output) =>
        (output as z.infer<typeof review>).verdict === 'revise' ? { goto: 'draft', reason: 'reviewer asked for a revision' } : undefined,
    },
    { name: 'approval', wait: { kind: 'approval', data: ({ results }) => results.draft } },
    {
      name: 'translate',
      agent: 'translator',
      skip: (parameters) => (parameters.languages.length === 0 ? 'no languages requested' : undefined),
      input: ({ parameters, results }) => ({ draft: results.draft, languages: parameters.languages }),
    },
    { name: 'publish', agent: 'publisher', input: ({ results }) => ({ title: draft.parse(results.draft).title }) },
  ],
});

export const editorialAgents = [writer, reviewer, translator, publisher];
