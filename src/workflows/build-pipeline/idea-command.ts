/**
 * What `baton build idea add` will call (the CLI wiring comes with the module's registration): the command's
 * options as commander gives them (strings, repeated options as lists) checked by zod, the idea stored, one line printed.
 */
import { z } from 'zod';
import { InvalidParametersError } from '../../errors/index.js';
import { issuesOf } from '../../errors/zod-issues.js';
import { buildable, VIABILITY_THRESHOLD, type Idea } from './contracts.js';
import type { BuildData } from './data/index.js';

export const IdeaAddOptions = z.object({
  title: z.string(),
  description: z.string(),
  /** `--requirement <text>`, repeatable. */
  requirement: z.array(z.string()).default([]),
  /** `--finding <text>`, repeatable. */
  finding: z.array(z.string()).default([]),
  /** `--score <0-100>`: a string from the command line. */
  score: z
    .string()
    .trim()
    .regex(/^\d{1,3}(\.\d+)?$/, 'must be a number from 0 to 100')
    .transform(Number),
  champion: z.string(),
});
export type IdeaAddOptions = z.input<typeof IdeaAddOptions>;

/** Adds the idea and prints its id and whether it may be built (building is a separate request). */
export async function addIdeaCommand(data: BuildData, raw: unknown, print: (line: string) => void): Promise<Idea> {
  const options = IdeaAddOptions.safeParse(raw);
  if (!options.success) throw new InvalidParametersError('the idea options are invalid', issuesOf(options.error));
  const { title, description, requirement, finding, score, champion } = options.data;
  const idea = await data.addIdea({ title, description, requirements: requirement, research_findings: finding, viability_score: score, champion });
  const verdict = buildable(idea.viability_score)
    ? `can be built: POST /api/builds/ideas/${idea.id}/build`
    : `will not be built: its viability score ${idea.viability_score} is not above the threshold of ${VIABILITY_THRESHOLD}`;
  print(`idea ${idea.id} "${idea.title}" added; it ${verdict}`);
  return idea;
}
